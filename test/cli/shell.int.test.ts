import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';
import { pidsWithMarker } from '../helpers/procs.js';
import { onPty, type PtyProcess } from '../helpers/pty.js';

const tmp = tempDir('paddock-shell-');
const procs: { child: { exitCode: number | null; kill(s: NodeJS.Signals): boolean } }[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});
afterAll(() => tmp.cleanup());

let n = 0;
/** A fresh data dir, a fake user home, and an imported agent. */
function setup(): { dataDir: string; userHome: string; name: string; env: NodeJS.ProcessEnv } {
  const name = `shelly-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const userHome = join(tmp.dir, `user-${n}`);
  mkdirSync(userHome, { recursive: true });
  const env = { ...process.env, HOME: userHome, SHELL: '/bin/bash', TERM: 'xterm-256color' };
  const file = join(tmp.dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\n`);
  const r = paddock(['--data-dir', dataDir, 'run', file, '--', 'true'], { env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { dataDir, userHome, name, env };
}

/** Waits for text on the terminal; the message shows what the terminal did show. */
function until(t: PtyProcess, f: (out: string) => unknown, ms = 15_000): Promise<unknown> {
  return waitFor(() => f(t.out()), ms).catch((e: Error) => Promise.reject(new Error(`${e.message}; the terminal showed: ${JSON.stringify(t.out().slice(-2000))}`)));
}

/** The acceptance scenario, against a `paddock shell` on a real pty. */
async function scenario(t: PtyProcess, s: ReturnType<typeof setup>, marker: string): Promise<void> {
  const agentHome = join(s.dataDir, 'agents', s.name, 'home');
  t.type('echo "H=$HOME U=$USER"\r');
  await until(t, (o) => o.includes(`H=${agentHome} U=${s.name}`));
  // A login written in the shell lands in the agent's home, never in the user's.
  t.type('git config --global user.name "Agent Smith" && echo "cfg=$?"\r');
  await until(t, (o) => o.includes('cfg=0'));
  expect(readFileSync(join(agentHome, '.gitconfig'), 'utf8')).toContain('Agent Smith');
  expect(existsSync(join(s.userHome, '.gitconfig'))).toBe(false);
  // Ctrl-C reaches the program inside.
  t.type(`sleep 100 # ${marker}\r`);
  await until(t, () => pidsWithMarker('sleep 100').length > 0 && pidsWithMarker('sleep 100').some((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u0000100\u0000'));
  t.type('\x03');
  t.type('echo "rc=$?"\r');
  await until(t, (o) => o.includes('rc=130'));
  // Resizing the outer terminal is seen inside.
  t.type('stty size\r');
  await until(t, (o) => o.includes('24 80'));
  t.resize(41, 133);
  await waitFor(async () => {
    t.type('stty size\r');
    await new Promise((r) => setTimeout(r, 200));
    return t.out().includes('41 133');
  }, 15_000).catch((e: Error) => Promise.reject(new Error(`${e.message}; the terminal showed: ${JSON.stringify(t.out().slice(-2000))}`)));
}

describe('paddock shell on a real pseudo-terminal', { timeout: 90_000 }, () => {
  it('with no host running: the agent home, logins kept there, Ctrl-C, resize, ps, exit code', async () => {
    const s = setup();
    const t = onPty([process.execPath, BIN, '--data-dir', s.dataDir, 'shell', s.name], { rows: 24, cols: 80, env: s.env });
    procs.push(t);
    await scenario(t, s, 'host-mode');
    // The session is a run like any other: ps (from another terminal) lists it.
    const ps = paddock(['--data-dir', s.dataDir, 'ps', '--json'], { env: s.env });
    expect(ps.code).toBe(0);
    expect(ps.stdout).toContain(`"agent":"${s.name}"`);
    t.type('exit 3\r');
    expect(await t.exit).toBe(3);
    const ev = paddock(['--data-dir', s.dataDir, 'events', '--agent', s.name, '--kind', 'run.', '--json'], { env: s.env });
    expect(ev.stdout.trim().split('\n').filter((l) => l.includes('"run.start"')).length).toBe(2);
  });

  it('with a host running (guest mode): the same, through the host and a pty inside the sandbox', async () => {
    const s = setup();
    const host = paddockAsync(['--data-dir', s.dataDir, 'serve', '--port', '0'], { env: s.env });
    procs.push(host);
    await waitFor(() => host.out().includes('#token='), 20_000);
    const t = onPty([process.execPath, BIN, '--data-dir', s.dataDir, 'shell', s.name], { rows: 24, cols: 80, env: s.env });
    procs.push(t);
    await scenario(t, s, 'guest-mode');
    // A second shell of the same agent is refused while this one runs.
    const second = paddock(['--data-dir', s.dataDir, 'shell', s.name, '--', 'true'], { env: s.env });
    expect(second.code).toBe(125);
    expect(second.stderr).toMatch(/already running.*paddock (stop|kill)/);
    // The session is a run like any other: it can be paused and resumed from another terminal.
    expect(paddock(['--data-dir', s.dataDir, 'pause', s.name], { env: s.env }).code).toBe(0);
    expect(paddock(['--data-dir', s.dataDir, 'ps', '--json'], { env: s.env }).stdout).toContain('"state":"paused"');
    // The terminal says why it froze and how to go on (issue 16), and when it runs again.
    await until(t, (o) => o.includes(`paddock: paused ${s.name}: paused with paddock pause — paddock resume ${s.name}`));
    expect(paddock(['--data-dir', s.dataDir, 'resume', s.name], { env: s.env }).code).toBe(0);
    await until(t, (o) => o.includes(`paddock: resumed ${s.name}`));
    t.type('echo "resumed-$((4*4))"\r');
    await until(t, (o) => o.includes('resumed-16'));
    t.type('exit 4\r');
    expect(await t.exit).toBe(4);
    // Killing the guest CLI kills its session: nothing is left running on the host.
    const t2 = onPty([process.execPath, BIN, '--data-dir', s.dataDir, 'shell', s.name, '--', '/bin/sh', '-c', 'echo ready-guest; exec sleep 1000'], { rows: 24, cols: 80, env: s.env });
    procs.push(t2);
    await until(t2, (o) => o.includes('ready-guest'));
    t2.child.kill('SIGKILL');
    await waitFor(() => pidsWithMarker('sleep 1000').length === 0, 15_000);
    host.child.kill('SIGTERM');
    expect(await host.exit).toBe(0);
  });

  it('refuses an unknown agent with a clear message', () => {
    const s = setup();
    const r = paddock(['--data-dir', s.dataDir, 'shell', 'nobody-here'], { env: s.env });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/no agent "nobody-here"/);
  });
});
