import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

// Issue 18: decoy credentials, placed in new agents' homes and watched from the host (real bwrap).
const tmp = tempDir('paddock-decoys-');
afterAll(() => tmp.cleanup());

function events(dataDir: string, agent: string): Record<string, unknown>[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, '--json', '--limit', '10000']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Live decoy watchers whose command line names `dataDir` (a watcher must not outlive its run). */
function watchers(dataDir: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('paddock-decoy-watch') && cmd.includes(dataDir) && !/^\S+\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, 'x '))) out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

const DECOYS = ['.aws/credentials', '.ssh/deploy_ed25519', '.git-credentials', '.env'];

describe('decoy credentials', () => {
  it('are placed with plausible modes and old timestamps; an agent that leaves them alone raises nothing', () => {
    const dataDir = join(tmp.dir, 'placed');
    const file = join(tmp.dir, 'placed.yaml');
    // stat(1) reads metadata without opening the file: no alert (positive control).
    writeFileSync(file, `name: calm\ncommand: [sh, -c, "cd && stat -c '%n %a %s' ${DECOYS.join(' ')}"]\n`);
    const r = paddock(['--data-dir', dataDir, 'run', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('.aws/credentials 600');
    expect(r.stdout).toContain('.ssh/deploy_ed25519 600');
    expect(r.stdout).toContain('.git-credentials 600');
    const home = join(dataDir, 'agents', 'calm', 'home');
    for (const d of DECOYS) {
      const st = statSync(join(home, d));
      expect(Date.now() - st.mtimeMs).toBeGreaterThan(14 * 86400_000);
    }
    expect(statSync(join(home, '.ssh')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(home, '.aws/credentials'), 'utf8')).toMatch(/^\[default\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = \S{40}\n$/);
    expect(readFileSync(join(home, '.ssh/deploy_ed25519'), 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE/);
    expect(events(dataDir, 'calm').filter((e) => e.kind === 'alert')).toEqual([]);
    expect(watchers(dataDir)).toEqual([]);
    // The manifest lies beside the home, never inside it.
    expect(statSync(join(dataDir, 'agents', 'calm', 'decoys.json')).mode & 0o077).toBe(0);
  });

  it.each([
    ['inotify (native helper)', {}],
    ['access-time polling (no native helper)', { PADDOCK_NATIVE: 'off' }],
  ])('reading one raises decoy-read naming the file, and pauses the agent: %s', async (_how, extraEnv) => {
    const dataDir = join(tmp.dir, `read-${Object.keys(extraEnv).length}`);
    const file = join(tmp.dir, 'read.yaml');
    // The agent prints the wall-clock time (ms) right before it opens the decoy: same kernel clock as the host's.
    writeFileSync(file, `name: snoop\ncommand: [sh, -c, "echo READ-AT=$(date +%s%3N); cat ~/.aws/credentials > /dev/null; sleep 60"]\n`);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { env: { ...process.env, ...extraEnv } });
    try {
      const alert = await waitFor(() => events(dataDir, 'snoop').find((e) => e.kind === 'alert' && e.type === 'decoy-read'), 20_000);
      expect(alert.path).toBe('~/.aws/credentials');
      // The contract (issue 18 acceptance): the alert within 1 s of the read. This is the functional
      // bound, not a benchmark. The measured span also holds `date` exiting and `cat` starting
      // (~ms), then inotify's delivery (~ms) or the access-time poll (every 250 ms, so at most
      // ~250 ms + one stat round), and one SQLite append: well under 1 s on a loaded 2-core CI box;
      // an alert later than 1 s is a broken watch (a stalled helper, a missed poll), not noise.
      const readAt = Number(await waitFor(() => /READ-AT=(\d+)/.exec(run.out())?.[1], 10_000));
      expect(readAt).toBeGreaterThan(0);
      const latency = Date.parse(String(alert.ts)) - readAt;
      expect(latency).toBeGreaterThanOrEqual(0);
      expect(latency).toBeLessThan(1000);
      expect(alert.message).toMatch(/~\/\.aws\/credentials.*decoy/);
      expect(alert.autoPause).toBe(true);
      await waitFor(() => events(dataDir, 'snoop').some((e) => e.kind === 'agent.pause'), 10_000);
      await waitFor(() => /"state":"paused"/.test(paddock(['--data-dir', dataDir, 'ps', '--json']).stdout), 10_000);
      expect(paddock(['--data-dir', dataDir, 'kill', 'snoop']).code).toBe(0);
      await run.exit;
      await waitFor(() => watchers(dataDir).length === 0, 10_000);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('PADDOCK_ALERT_PAUSE=decoy-read=nopause: the read is still an alert, and the agent keeps running', () => {
    const dataDir = join(tmp.dir, 'nopause');
    const file = join(tmp.dir, 'nopause.yaml');
    // The agent reads a decoy, then waits until the host has logged the alert (its stdout marks the
    // moment) and ends on its own: paused, it would never get there (the run's timeout fails the test).
    writeFileSync(file, `name: nopause\ncommand: [sh, -c, "cat ~/.env > /dev/null; sleep 2; echo STILL-RUNNING"]\n`);
    const r = paddock(['--data-dir', dataDir, 'run', file], { env: { ...process.env, PADDOCK_ALERT_PAUSE: 'decoy-read=nopause' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('STILL-RUNNING');
    const all = events(dataDir, 'nopause');
    const alert = all.find((e) => e.kind === 'alert' && e.type === 'decoy-read');
    expect(alert).toMatchObject({ path: '~/.env', autoPause: false });
    expect(all.some((e) => e.kind === 'agent.pause')).toBe(false);
    // A typo is an error that says how to write it, and nothing runs.
    const bad = paddock(['--data-dir', dataDir, 'run', file], { env: { ...process.env, PADDOCK_ALERT_PAUSE: 'decoy-reed=nopause' } });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/PADDOCK_ALERT_PAUSE.*decoy-reed=nopause.*TYPE=pause\|nopause/);
  });

  it("never replaces a file of the user's at a decoy path, and does not watch it", () => {
    const dataDir = join(tmp.dir, 'mine');
    const home = join(dataDir, 'agents', 'owner', 'home');
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(join(home, '.env'), 'OPENAI_API_KEY=password mine\n', { mode: 0o600 });
    const file = join(tmp.dir, 'mine.yaml');
    writeFileSync(file, `name: owner\ncommand: [sh, -c, "cat ~/.env; test -f ~/.aws/credentials && echo AWS"]\n`);
    const r = paddock(['--data-dir', dataDir, 'run', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('password mine');
    expect(r.stdout).toContain('AWS');
    expect(readFileSync(join(home, '.env'), 'utf8')).toBe('OPENAI_API_KEY=password mine\n');
    expect(events(dataDir, 'owner').filter((e) => e.kind === 'alert')).toEqual([]);
    // A second start keeps it so (and keeps its own decoys, unchanged).
    const aws = readFileSync(join(home, '.aws/credentials'), 'utf8');
    expect(paddock(['--data-dir', dataDir, 'run', file]).code).toBe(0);
    expect(readFileSync(join(home, '.env'), 'utf8')).toContain('password mine');
    expect(readFileSync(join(home, '.aws/credentials'), 'utf8')).toBe(aws);
  });

  it("never overwrites a file the agent made at a decoy path in an earlier run, and does not watch it", () => {
    const dataDir = join(tmp.dir, 'agent-made');
    const file = join(tmp.dir, 'agent-made.yaml');
    // Run 1: the agent replaces the decoy with a file of its own (unlink and create open no decoy).
    writeFileSync(file, `name: maker\ncommand: [sh, -c, "rm -f ~/.env && printf 'MINE=agent-made\\n' > ~/.env"]\n`);
    expect(paddock(['--data-dir', dataDir, 'run', file]).code).toBe(0);
    // Run 2: the start places decoys again; the agent's file stays, and reading it is no decoy read.
    writeFileSync(file, `name: maker\ncommand: [sh, -c, "cat ~/.env"]\n`);
    const r = paddock(['--data-dir', dataDir, 'run', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('MINE=agent-made\n');
    expect(readFileSync(join(dataDir, 'agents', 'maker', 'home', '.env'), 'utf8')).toBe('MINE=agent-made\n');
    expect(events(dataDir, 'maker').filter((e) => e.kind === 'alert')).toEqual([]);
    // Positive control: the other decoys are still in place (and the manifest says .env is not ours).
    expect(readFileSync(join(dataDir, 'agents', 'maker', 'home', '.aws/credentials'), 'utf8')).toMatch(/^\[default\]/);
    const manifest = JSON.parse(readFileSync(join(dataDir, 'agents', 'maker', 'decoys.json'), 'utf8')) as { decoys: { rel: string; ino: number }[] };
    expect(manifest.decoys.find((d) => d.rel === '.env')?.ino).toBe(0);
    expect(manifest.decoys.find((d) => d.rel === '.aws/credentials')?.ino).not.toBe(0);
  });
});
