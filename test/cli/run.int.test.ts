import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../src/shared/agent.schema.js';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';
import { cpuTicks, pidsWithMarker } from '../helpers/procs.js';

const tmp = tempDir('paddock-run-');
const started: ReturnType<typeof paddockAsync>[] = [];
afterEach(() => {
  for (const s of started.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
});
afterAll(() => tmp.cleanup());

let n = 0;
/** A fresh data dir and a profile file for one test. */
function setup(profile: (name: string) => string): { dataDir: string; file: string; name: string } {
  const name = `agent-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const file = join(tmp.dir, `${name}.yaml`);
  writeFileSync(file, profile(name));
  return { dataDir, file, name };
}

function events(dataDir: string, agent: string): Record<string, unknown>[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, '--json', '--limit', '10000']);
  expect(r.code).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function ps(dataDir: string): RunInfo[] {
  const r = paddock(['--data-dir', dataDir, 'ps', '--json']);
  if (r.code !== 0) return [];
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunInfo);
}

describe('paddock run', () => {
  it("passes stdio through, exits with the agent's code and logs the run", () => {
    const { dataDir, file, name } = setup((a) => `name: ${a}\ncommand: [sh, -c, "echo hello from $USER; echo data > out.txt; sleep 0.6; exit 7"]\n`);
    const r = paddock(['--data-dir', dataDir, 'run', file]);
    expect(r.stdout).toContain(`hello from ${name}`);
    expect(r.code).toBe(7);
    const evs = events(dataDir, name);
    const kinds = evs.map((e) => e.kind);
    expect(kinds).toContain('run.start');
    expect(kinds).toContain('proc.exec');
    expect(kinds).toContain('fs.change');
    const exit = evs.find((e) => e.kind === 'run.exit');
    expect(exit).toMatchObject({ agent: name, code: 7, signal: null });
    for (const e of evs) expect(e).toMatchObject({ id: expect.any(Number), ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), agent: name });
    const sleep = evs.find((e) => e.kind === 'proc.exec' && Array.isArray(e.argv) && (e.argv as string[])[0]?.endsWith('sleep'));
    expect(sleep).toMatchObject({ pid: expect.any(Number), argv: expect.arrayContaining(['0.6']) });
    expect(evs.find((e) => e.kind === 'fs.change' && String(e.path).endsWith('out.txt'))).toBeDefined();
    expect(paddock(['--data-dir', dataDir, 'log', 'verify']).code).toBe(0);
  });

  it('-- CMD replaces the profile command; a signal death exits 128+N', () => {
    const { dataDir, file } = setup((a) => `name: ${a}\ncommand: [sh, -c, "exit 0"]\n`);
    const r = paddock(['--data-dir', dataDir, 'run', file, '--', 'sh', '-c', 'kill -TERM $$']);
    expect(r.code).toBe(128 + 15);
  });

  it('an invalid profile exits 125 with FILE:LINE:COL and starts nothing', () => {
    const { dataDir, file } = setup(() => 'name: Bad_Name\n');
    const r = paddock(['--data-dir', dataDir, 'run', file]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/:1:\d+: .*name/);
  });

  it('pause freezes 50 busy processes, resume restarts them, kill leaves nothing (exit 137)', async () => {
    const marker = `busy-${process.pid}-${Date.now()}`;
    const { dataDir, file, name } = setup(
      (a) =>
        `name: ${a}\ncommand: [sh, -c, "for i in $(seq 50); do sh -c 'while :; do :; done' ${marker} & done; setsid nohup sh -c 'while :; do sleep 1; done' ${marker}-daemon >/dev/null 2>&1 & wait"]\n`,
    );
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const info = await waitFor(() => ps(dataDir).find((r) => r.agent === name && r.pids.length >= 52), 20_000);
    expect(info.state).toBe('running');
    const busy = await waitFor(() => (pidsWithMarker(marker).length >= 51 ? pidsWithMarker(marker) : null), 10_000);

    expect(paddock(['--data-dir', dataDir, 'pause', name]).code).toBe(0);
    expect(ps(dataDir).find((r) => r.agent === name)?.state).toBe('paused');
    const before = busy.map(cpuTicks);
    await new Promise((r) => setTimeout(r, 1000));
    const frozenUse = busy.map(cpuTicks).reduce((s, t, i) => s + (t - before[i]!), 0);
    expect(frozenUse).toBeLessThanOrEqual(2); // ~0: 51 processes for 1 s would be ~200 ticks

    expect(paddock(['--data-dir', dataDir, 'resume', name]).code).toBe(0);
    const resumed = busy.map(cpuTicks);
    await new Promise((r) => setTimeout(r, 1000));
    expect(busy.map(cpuTicks).reduce((s, t, i) => s + (t - resumed[i]!), 0)).toBeGreaterThan(20);

    const killed = paddock(['--data-dir', dataDir, 'kill', name]);
    expect(killed.code, killed.stderr).toBe(0);
    expect(await run.exit).toBe(137);
    expect(pidsWithMarker(marker)).toEqual([]);
    const kinds = events(dataDir, name).map((e) => e.kind);
    for (const k of ['run.start', 'agent.pause', 'agent.resume', 'agent.kill', 'run.exit']) expect(kinds).toContain(k);
  });

  it('SIGKILL of the hosting paddock run leaves no agent process after 1 s', async () => {
    const marker = `orphan-${process.pid}-${Date.now()}`;
    const { dataDir, file, name } = setup((a) => `name: ${a}\ncommand: [sh, -c, "setsid nohup sh -c 'while :; do sleep 1; done' ${marker} >/dev/null 2>&1 & sh -c 'sleep 1000' ${marker}; wait"]\n`);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    await waitFor(() => ps(dataDir).find((r) => r.agent === name) && pidsWithMarker(marker).length >= 2, 20_000);
    run.child.kill('SIGKILL');
    await run.exit;
    await new Promise((r) => setTimeout(r, 1000));
    expect(pidsWithMarker(marker)).toEqual([]);
  });

  it('a fork bomb under limits.processes: 64 stays contained and the run end is logged', async () => {
    const marker = `bomb-${process.pid}-${Date.now()}`;
    // Bounded (depth 11) so that even a broken limit cannot take the machine down.
    const { dataDir, file, name } = setup(
      (a) => `name: ${a}\nlimits: { processes: 64 }\ncommand: [sh, -c, "f() { [ $1 -gt 0 ] && { f $(($1-1)) & f $(($1-1)) & }; sleep 30; }; f 11; wait", ${marker}]\n`,
    );
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    // The bomb's first shell may die of "Cannot fork" and end the run by itself: watch while it lasts.
    let most = 0;
    let ended = false;
    void run.exit.then(() => (ended = true));
    const deadline = Date.now() + 8_000;
    while (!ended && Date.now() < deadline) {
      const r = ps(dataDir).find((x) => x.agent === name);
      most = Math.max(most, r?.pids.length ?? 0);
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(most).toBeLessThanOrEqual(64 + 2); // the agent's processes, plus the bwrap pair
    if (!ended) paddock(['--data-dir', dataDir, 'kill', name]);
    await run.exit;
    expect(run.err()).toMatch(/Cannot fork/); // the limit refused forks: the bomb hit the cap
    expect(events(dataDir, name).some((e) => e.kind === 'run.exit')).toBe(true);
  });

  it('one run per agent; a second paddock run hosts nothing new and streams a second agent', async () => {
    const { dataDir, file, name } = setup((a) => `name: ${a}\ncommand: [sh, -c, "sleep 3; exit 3"]\n`);
    const host = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(host);
    await waitFor(() => ps(dataDir).find((r) => r.agent === name), 20_000);

    const again = paddock(['--data-dir', dataDir, 'run', file]);
    expect(again.code).toBe(125);
    expect(again.stderr).toMatch(/already running/);

    const other = join(tmp.dir, `guest-${n}.yaml`);
    writeFileSync(other, `name: guest-${n}\ncommand: [sh, -c, "cat; echo guest says hi; echo oops >&2; exit 5"]\n`);
    const guest = paddock(['--data-dir', dataDir, 'run', other], { input: 'from stdin\n' });
    expect(guest.stdout).toContain('from stdin');
    expect(guest.stdout).toContain('guest says hi');
    expect(guest.stderr).toContain('oops');
    expect(guest.code).toBe(5);
    expect(await host.exit).toBe(3);
  });

  it('the hosting run waits for its guests; a guest that dies takes its agent with it', async () => {
    const marker = `guest-${process.pid}-${Date.now()}`;
    const { dataDir, file, name } = setup((a) => `name: ${a}\ncommand: [sh, -c, "exit 0"]\n`);
    const hostFile = join(tmp.dir, `host-${n}.yaml`);
    writeFileSync(hostFile, `name: host-${n}\ncommand: [sh, -c, "sleep 2"]\n`);
    const host = paddockAsync(['--data-dir', dataDir, 'run', hostFile]);
    started.push(host);
    await waitFor(() => ps(dataDir).find((r) => r.agent === `host-${n}`), 20_000);
    const guest = paddockAsync(['--data-dir', dataDir, 'run', file, '--', 'sh', '-c', `sh -c 'sleep 1000' ${marker}`]);
    started.push(guest);
    await waitFor(() => pidsWithMarker(marker).length > 0, 20_000);
    await waitFor(() => /waiting for them to end/.test(host.err()), 20_000);
    guest.child.kill('SIGKILL');
    expect(await host.exit).toBe(0);
    expect(pidsWithMarker(marker)).toEqual([]);
    expect(events(dataDir, name).some((e) => e.kind === 'agent.kill')).toBe(true);
  });
});
