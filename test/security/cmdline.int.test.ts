/**
 * Attack class: reading Paddock's configuration off command lines. Every process on the host can
 * read every `/proc/PID/cmdline`, and the agent reads those of its sandbox (bwrap is its pid 1).
 * So no secret value, rule, granted path or data-dir path may be on any command line, host or
 * inside, nor in the environment of Paddock's own processes (bwrap, the launcher). Positive
 * controls: the `as: env` secret still reaches the agent, granted folders are still bound (and a
 * deny rule still masks), on the native launcher path and the shell fallback alike.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

const tmp = tempDir('paddock-sec-cmdl-');
let live: ReturnType<typeof paddockAsync> | null = null;
afterAll(() => {
  // A timed-out test never reaches its finally: never leave the hosting paddock run behind.
  if (live && live.child.exitCode === null) live.child.kill('SIGKILL');
  tmp.cleanup();
});

/** Every readable /proc/PID/FILE of the host, NULs as spaces (processes gone meanwhile are skipped). */
function procFiles(file: 'cmdline' | 'environ'): Array<{ pid: number; text: string }> {
  const out: Array<{ pid: number; text: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      out.push({ pid: Number(name), text: readFileSync(`/proc/${name}/${file}`, 'latin1').replace(/\0/g, ' ') });
    } catch {
      // gone, or another user's environ
    }
  }
  return out;
}

const hits = (list: Array<{ pid: number; text: string }>, needles: string[]): string[] =>
  list.flatMap(({ pid, text }) => needles.filter((n) => text.includes(n)).map((n) => `pid ${pid} has ${n}: ${text.slice(0, 300)}`));

// The agent's own command line is its own business; it is chosen innocuous here (no path, no value).
const AGENT_SCRIPT = [
  'echo "token=$CMDL_TOKEN"',
  'for f in /tmp/*/*/probe.txt; do read -r l < "$f"; echo "probe=$l"; echo written > "${f%/probe.txt}/out.txt"; done',
  'for f in /tmp/*/*/cmdl-deny-*.txt; do read -r l < "$f" 2>/dev/null && echo "MASK-READ=$l"; done',
  // Every command line inside (pid 1 is bwrap), and the environment of pid 1 (bwrap's init).
  'for p in /proc/[0-9]*; do tr "\\000" " " < "$p/cmdline" 2>/dev/null; echo; done > inside-cmdlines.txt',
  'tr "\\000" " " < /proc/1/environ > inside-environ.txt',
  'echo scanned > scanned.txt',
  'sleep 60',
].join('\n');

describe.each([
  ['the native launcher', {}],
  ['the shell fallback (PADDOCK_NATIVE=off)', { PADDOCK_NATIVE: 'off' }],
])('command lines, with %s', (label, extraEnv) => {
  it('carry no secret value, rule, granted path or data-dir path, on the host or inside; the secret and the folders still work', async () => {
    expect(tmp.dir.startsWith('/tmp/')).toBe(true); // the agent finds the folders by a glob, not by their paths
    const tag = randomBytes(5).toString('hex');
    const root = join(tmp.dir, `case-${tag}`);
    const dataDir = join(root, `paddock-data-${tag}`);
    const rw = join(tmp.dir, `granted-rw-${tag}`);
    const ro = join(tmp.dir, `granted-ro-${tag}`);
    mkdirSync(root, { recursive: true });
    mkdirSync(rw);
    mkdirSync(ro);
    writeFileSync(join(rw, 'probe.txt'), `probe-${tag}\n`);
    const denied = `cmdl-deny-${tag}.txt`;
    writeFileSync(join(ro, denied), 'masked content\n');
    const value = `cmdl-secret-value-${randomBytes(12).toString('hex')}`;
    const name = `cmdl-${tag}`;
    const file = join(root, 'agent.yaml');
    writeFileSync(
      file,
      stringify({
        name,
        command: ['/bin/sh', '-c', AGENT_SCRIPT],
        folders: [{ path: rw, access: 'rw' }, { path: ro, access: 'ro' }],
        network: 'on',
        rules: `deny read **/${denied}\nallow net localhost:1\n`,
        secrets: [{ name: 'CMDL_TOKEN', as: 'env' }],
      }),
    );
    // The data dir through the environment: the user's own `--data-dir` would be on the CLI's command line.
    const env = {
      ...process.env,
      ...extraEnv,
      PADDOCK_HOME: dataDir,
      ...(process.env.PADDOCK_TEST_KEYRING ? {} : { PADDOCK_VAULT_PASSPHRASE: 'cmdline test passphrase' }),
    };
    const set = paddock(['secret', 'set', name, 'CMDL_TOKEN'], { input: `${value}\n`, env });
    expect(set.code, set.stderr).toBe(0);
    const run = paddockAsync(['run', file], { env });
    live = run;
    const workspace = join(dataDir, 'agents', name, 'workspace');
    try {
      await waitFor(() => {
        try {
          return readFileSync(join(workspace, 'scanned.txt'), 'utf8').includes('scanned');
        } catch {
          return false;
        }
      }, 30_000).catch(() => {
        throw new Error(`${label}: the agent did not finish its scan\n${run.out()}\n${run.err()}`);
      });
      // The values an onlooker must not learn; the rule's own text and the masked file's name included.
      const needles = [value, dataDir, rw, ro, denied, `deny read **/${denied}`];
      const host = procFiles('cmdline');
      expect(host.length).toBeGreaterThan(0);
      expect(hits(host, needles)).toEqual([]);
      // bwrap (outer and its init) and the launcher: their environment carries none of it either.
      const mine = new Set(host.filter((p) => /(^|\/)(bwrap|paddock-launch) /.test(p.text)).map((p) => p.pid));
      expect(mine.size).toBeGreaterThan(0);
      expect(hits(procFiles('environ').filter((p) => mine.has(p.pid)), needles)).toEqual([]);
      // Inside: every command line (bwrap is pid 1), and pid 1's environment.
      const inside = readFileSync(join(workspace, 'inside-cmdlines.txt'), 'latin1');
      expect(inside).toMatch(/bwrap/);
      expect(needles.filter((n) => inside.includes(n))).toEqual([]);
      expect(readFileSync(join(workspace, 'inside-environ.txt'), 'latin1')).not.toContain(value);
      // Positive controls: the secret reached the agent as its variable, the folders are bound, the rule masks.
      expect(run.out()).toContain(`token=${value}`);
      expect(run.out()).toContain(`probe=probe-${tag}`);
      expect(readFileSync(join(rw, 'out.txt'), 'utf8')).toBe('written\n');
      expect(run.out()).not.toContain('MASK-READ');
    } finally {
      paddock(['kill', name], { env });
      await run.exit;
    }
  });
});
