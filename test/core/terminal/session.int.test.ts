import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/core/engine.js';
import { openTerminal, type TerminalSession } from '../../../src/core/terminal/index.js';
import { tempDir, waitFor } from '../../helpers/cli.js';

let engine: Engine;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  tmp = tempDir('paddock-term-');
  engine = await createEngine({ dataDir: tmp.dir, userHome: tmp.dir });
  engine.importProfile('name: termy\n', null);
});
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

/** Collects a session's output as text. */
function collect(s: TerminalSession): () => string {
  let out = '';
  s.onData((d) => (out += d.toString('utf8')));
  return () => out;
}

describe('terminal sessions on a pty inside the sandbox', { timeout: 60_000 }, () => {
  it('runs a shell on a real pty in the agent home, resizes it, delivers Ctrl-C, and dies when closed', async () => {
    const s = await openTerminal(engine, 'termy', { command: ['/bin/bash', '--norc', '--noprofile', '-i'], size: { cols: 91, rows: 33 } });
    const out = collect(s);
    s.write('tty; echo "home=$HOME"\r');
    const until = (f: () => unknown): Promise<unknown> => waitFor(f).catch((e: Error) => Promise.reject(new Error(`${e.message}; output: ${JSON.stringify(out())}`)));
    await until(() => out().includes(`home=${engine.paths.agentHome('termy')}`));
    expect(out()).toMatch(/\/dev\/pts\/\d+/);
    s.write('stty size\r');
    await until(() => out().includes('33 91'));
    // Resizing from the host: the program inside sees the new size (and gets SIGWINCH).
    await until(() => s.resize({ cols: 120, rows: 40 }));
    s.write('trap "echo got-winch" WINCH; stty size\r');
    await until(() => out().includes('40 120'));
    expect(await s.resize({ cols: 100, rows: 30 })).toBe(true);
    s.write('true\r');
    await until(() => out().includes('got-winch'));
    s.write('sleep 100\r');
    await until(() => engine.runs.get('termy')?.proc?.pids().some((p) => existsSync(`/proc/${p}/cmdline`) && readCmd(p).includes('sleep\u0000100')));
    s.write('\x03');
    s.write('echo after-$((2+3))\r');
    await until(() => out().includes('after-5'));
    const pids = engine.runs.get('termy')!.proc!.pids();
    await s.close();
    expect(engine.runs.get('termy')).toBeUndefined();
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('refuses a second session of the same agent while one runs (one run per agent)', async () => {
    const s = await openTerminal(engine, 'termy', { command: ['/bin/sh'] });
    await expect(openTerminal(engine, 'termy')).rejects.toThrow(/already running.*paddock (stop|kill) termy/);
    await s.close();
  });

  it('ends the run with the program: exit in the shell ends the session with its code', async () => {
    const s = await openTerminal(engine, 'termy', { command: ['/bin/sh'] });
    s.write('exit 7\r');
    const r = await s.done;
    expect(r.exitCode).toBe(7);
  });

  it('with the network on too: the program ending ends the session (the bridge loop is no child of `script`)', async () => {
    // Issue 15: `script` waited (busy, wait3 WNOHANG) for the bridge's restart loop the launcher had forked.
    engine.importProfile('name: netty\nnetwork: on\n', null);
    const s = await openTerminal(engine, 'netty', { command: ['/bin/sh', '-c', 'echo hi; exit 3'] });
    const out = collect(s);
    const ended = await Promise.race([s.done.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20_000))]);
    expect(ended, `the session did not end after its program; output ${JSON.stringify(out())}`).toBe(true);
    expect((await s.done).exitCode).toBe(3);
    expect(out()).toContain('hi');
    expect(engine.runs.get('netty')).toBeUndefined();
    // Positive control: the bridge still carries the agent's traffic to the proxy (a denied request is answered by it).
    const t = await openTerminal(engine, 'netty', { command: ['/bin/sh', '-c', 'curl -s -o /dev/null -w "code=%{http_code}" http://blocked.invalid/; echo'] });
    const tout = collect(t);
    await t.done;
    expect(tout()).toMatch(/code=403/);
  });
});

function readCmd(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}
