import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, paddock, tempDir, waitFor } from '../helpers/cli.js';

// Issue 17: a first host (`paddock run` with no host running) exits as soon as its agent has
// ended. What it started must still be gone and what it wrote complete: the log verifies, no
// process holds a file of the data dir (the decoy watch holds its decoys open), the run's cgroups
// and the control socket are removed.
const tmp = tempDir('paddock-first-host-');
afterAll(() => tmp.cleanup());

/** Pids of live processes with an open file (or cwd) inside `dir`. */
function holders(dir: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const links = ['cwd', ...readdirSync(`/proc/${pid}/fd`).map((fd) => `fd/${fd}`)];
      if (links.some((l) => readlinkSync(`/proc/${pid}/${l}`).startsWith(`${dir}/`))) out.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

describe('a first host exits with its run', () => {
  it.each([
    ['stdio passed through (as a terminal or /dev/null is)', ['ignore', 'ignore', 'pipe'] as const],
    ['stdio piped (as a file is)', ['pipe', 'pipe', 'pipe'] as const],
  ])('leaves a complete log and nothing running or mounted behind: %s', async (_how, stdio) => {
    const dataDir = join(tmp.dir, `data-${stdio[0]}`);
    const file = join(tmp.dir, `${stdio[0]}.yaml`);
    // Decoys are on for new agents: the run has a decoy watch to end too.
    writeFileSync(file, 'name: quick\ncommand: ["true"]\n');
    for (let i = 0; i < 3; i++) {
      const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, 'run', file], { stdio: [...stdio], encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      // Right after the exit: the control socket is gone; the decoy watch, told to go as the run
      // ended, is not waited for (it dies with its SIGTERM, or with us through PR_SET_PDEATHSIG).
      expect(existsSync(join(dataDir, 'run', 'paddock.sock'))).toBe(false);
      // The run's egress folder (its proxy socket) is removed at teardown: only the helpers stay.
      expect(readdirSync(join(dataDir, 'run', 'egress'))).toEqual(['bin']);
      expect(await waitFor(() => (holders(dataDir).length === 0 ? true : null), 2000)).toBe(true);
    }
    const events = paddock(['--data-dir', dataDir, 'events', '--agent', 'quick', '--json', '--limit', '100'])
      .stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; enforcement?: { cgroup?: string } });
    const starts = events.filter((e) => e.kind === 'run.start');
    expect(starts).toHaveLength(3);
    expect(events.filter((e) => e.kind === 'run.exit')).toHaveLength(3);
    for (const s of starts) for (const dir of (s.enforcement?.cgroup ?? '').split(' ').slice(1)) expect(existsSync(dir), dir).toBe(false);
    const verify = paddock(['--data-dir', dataDir, 'log', 'verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
