import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, startServe, tempDir, waitFor } from '../helpers/cli.js';

/**
 * `paddock logs`: the output of runs started through a host (here `paddock serve`, as the app and
 * the web console do; a guest `paddock run` goes the same way) is kept in the data dir.
 */
const tmp = tempDir('paddock-logs-');
const dataDir = join(tmp.dir, 'data');
const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'correct horse battery staple' };
let host: Awaited<ReturnType<typeof startServe>>;

beforeAll(async () => {
  host = await startServe(dataDir, env);
}, 30_000);
afterAll(async () => {
  await host.stop();
  tmp.cleanup();
});

function profile(name: string, command: string, extra = ''): string {
  const file = join(tmp.dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\n${extra}command: [sh, -c, ${JSON.stringify(command)}]\n`);
  return file;
}

const logs = (args: string[]) => paddock(['--data-dir', dataDir, 'logs', ...args], { maxBuffer: 64 * 1024 * 1024 });

describe('paddock logs', () => {
  it("shows a failed run's stdout and stderr, a missing command's error included; --list, --run and --cast", () => {
    const file = profile('failer', 'echo marker-out-1; echo marker-err-1 >&2; no-such-agent-cmd --go');
    const r = paddock(['--data-dir', dataDir, 'run', file], { env });
    expect(r.code).toBe(127);
    const out = logs(['failer']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('marker-out-1');
    expect(out.stdout).toContain('marker-err-1');
    expect(out.stdout).toMatch(/no-such-agent-cmd: .*not found/);

    // A second run; the first stays readable by its id. The recordings are not visible inside the sandbox.
    const second = paddock(['--data-dir', dataDir, 'run', file, '--', 'sh', '-c', 'test -e "$HOME/../runs" && echo RUNS-VISIBLE || echo runs-absent'], { env });
    expect(second.code).toBe(0);
    expect(logs(['failer']).stdout).toBe('runs-absent\n');
    const list = paddock(['--data-dir', dataDir, 'logs', 'failer', '--list', '--json']);
    const runs = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { run: string; exitCode: number | null });
    expect(runs.map((x) => x.exitCode)).toEqual([0, 127]);
    expect(logs(['failer', '--run', runs[1]!.run]).stdout).toContain('marker-err-1');

    // --cast: an asciicast v2 file (a header, then [time, "o", text] events and the exit marker).
    const cast = logs(['failer', '--run', runs[1]!.run, '--cast']).stdout.trim().split('\n');
    expect(JSON.parse(cast[0]!)).toMatchObject({ version: 2, width: expect.any(Number), height: expect.any(Number), timestamp: expect.any(Number) });
    const events = cast.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.some((e) => e[1] === 'o' && e[2].includes('marker-out-1'))).toBe(true);
    expect(events[events.length - 1]).toEqual([expect.any(Number), 'm', 'exit 127']);

    // Positive control for the errors: an unknown run id and a bad one say what to do.
    expect(logs(['failer', '--run', 'r-00000000']).stderr).toMatch(/no recording of run r-00000000.*--list/);
    expect(logs(['failer', '--run', '../x']).code).toBe(2);
  });

  it('keeps each run within 10 MiB, with its newest output', () => {
    const file = profile('chatty', "head -c 12582912 /dev/zero | tr '\\0' a; echo; echo TAIL-END");
    const r = paddock(['--data-dir', dataDir, 'run', file], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    expect(r.code).toBe(0);
    const id = JSON.parse(paddock(['--data-dir', dataDir, 'logs', 'chatty', '--list', '--json']).stdout.trim()) as { run: string };
    const size = statSync(join(dataDir, 'agents', 'chatty', 'runs', `${id.run}.cast`)).size;
    expect(size).toBeLessThanOrEqual(10 * 1024 * 1024);
    expect(size).toBeGreaterThan(4 * 1024 * 1024);
    const out = logs(['chatty']);
    expect(out.stdout.endsWith('aaaa\nTAIL-END\n')).toBe(true);
    expect(out.stderr).toMatch(/older output of run r-[0-9a-f]{8} was dropped/);
    // The recording is still a valid asciicast file.
    const cast = logs(['chatty', '--cast']).stdout.split('\n');
    expect(JSON.parse(cast[0]!)).toMatchObject({ version: 2 });
  }, 120_000);

  it('masks the value of a secret the run was given, also when it is printed in two pieces', () => {
    const value = 'sek-LOGS-0123456789-abcdef';
    const file = profile(
      'leaker',
      'echo token=$API_TOKEN; printf "half=%.10s" "$API_TOKEN"; sleep 0.3; printf "%s\\n" "${API_TOKEN#??????????}"; echo done',
      'secrets:\n  - { name: API_TOKEN, as: env }\n',
    );
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', 'leaker', 'API_TOKEN'], { input: `${value}\n`, env }).code).toBe(0);
    const r = paddock(['--data-dir', dataDir, 'run', file], { env });
    expect(r.stdout).toContain(`token=${value}`); // the agent itself did get it
    const out = logs(['leaker']).stdout;
    expect(out).toBe('token=[secret API_TOKEN]\nhalf=[secret API_TOKEN]\ndone\n');
    const id = (JSON.parse(paddock(['--data-dir', dataDir, 'logs', 'leaker', '--list', '--json']).stdout.trim()) as { run: string }).run;
    const raw = readFileSync(join(dataDir, 'agents', 'leaker', 'runs', `${id}.cast`), 'utf8');
    expect(raw).not.toContain(value.slice(0, 10));
    expect(raw).not.toContain(value.slice(10));
    // The export (what the replay plays) is as masked as the file.
    const cast = logs(['leaker', '--cast']).stdout;
    expect(cast).toContain('[secret API_TOKEN]');
    expect(cast).not.toContain(value.slice(0, 10));
    expect(cast).not.toContain(value.slice(10));
  });

  it('--follow prints a live run as it goes and ends when the run ends', async () => {
    const file = profile('waiter', 'echo first-line; while [ ! -e go ]; do sleep 0.1; done; echo second-line >&2; exit 3');
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { env });
    try {
      await waitFor(() => logs(['waiter']).stdout.includes('first-line'), 30_000);
      const follow = paddockAsync(['--data-dir', dataDir, 'logs', 'waiter', '--follow']);
      await waitFor(() => follow.out().includes('first-line'), 10_000);
      expect(follow.out()).not.toContain('second-line');
      writeFileSync(join(dataDir, 'agents', 'waiter', 'workspace', 'go'), '');
      expect(await follow.exit).toBe(0);
      expect(follow.out()).toBe('first-line\nsecond-line\n');
      expect(await run.exit).toBe(3);
      // On an ended run, --follow prints and returns.
      expect(logs(['waiter', '--follow']).stdout).toBe('first-line\nsecond-line\n');
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

describe('paddock logs of a run that had the terminal', () => {
  it('says the output of a paddock run with no host went to its terminal (not recorded)', () => {
    const own = join(tmp.dir, 'data-terminal');
    const file = profile('tty-agent', 'echo to-the-terminal');
    const r = paddock(['--data-dir', own, 'run', file]);
    expect(r.stdout).toBe('to-the-terminal\n');
    const out = paddock(['--data-dir', own, 'logs', 'tty-agent']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/started by paddock run with no host running: its output went to that terminal/);
    expect(paddock(['--data-dir', own, 'logs', 'nobody']).stderr).toMatch(/agent "nobody" has no recorded run yet/);
  });
});
