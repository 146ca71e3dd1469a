import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/core/engine.js';
import { openTerminal, ptyWrap, shQuote } from '../../../src/core/terminal/index.js';
import { tempDir, waitFor } from '../../helpers/cli.js';

let engine: Engine;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  tmp = tempDir('paddock-term-helpers-');
  engine = await createEngine({ dataDir: tmp.dir, userHome: tmp.dir });
  // Network on: the bridge's helpers run beside the terminal's wrapper.
  engine.importProfile('name: wrapped\nnetwork: on\n', null);
});
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

type Exec = { id: number; kind: string; run?: string; argv: string[]; paddock?: boolean; command?: string[] };
const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

describe("the terminal's pty wrapper is Paddock's helper, not the agent's program", { timeout: 90_000 }, () => {
  it("marks exactly this run's wrapper execs, names the user's command in run.start, and never marks an agent's look-alike", async () => {
    const command = ['/bin/bash', '--norc', '--noprofile', '-i'];
    const size = { cols: 83, rows: 28 };
    const s = await openTerminal(engine, 'wrapped', { command, size });
    let out = '';
    s.onData((d) => (out += d.toString('utf8')));
    const evs = (): Exec[] => (engine.store.events.query({ agent: 'wrapped', run: s.run, limit: 10_000, order: 'asc' }) as unknown as Exec[]);
    const execs = (): Exec[] => evs().filter((e) => e.kind === 'proc.exec');
    const until = (f: () => unknown): Promise<unknown> => waitFor(f, 20_000).catch((e: Error) => Promise.reject(new Error(`${e.message}; output: ${JSON.stringify(out)}; execs: ${JSON.stringify(execs().map((x) => [x.argv, x.paddock]))}`)));
    s.write('echo ready-$((1+1))\r');
    await until(() => out.includes('ready-2'));

    // run.start names what the user asked for, not `script -qfec stty cols …`.
    const start = evs().find((e) => e.kind === 'run.start')!;
    expect(start.command).toEqual(command);

    // The wrapper's own starts are marked; the user's shell is not.
    const wrapped = ptyWrap(command, size);
    await until(() => execs().some((e) => same(e.argv, command)));
    const first = execs();
    expect(first.filter((e) => same(e.argv, wrapped)).length).toBeGreaterThan(0);
    expect(first.filter((e) => same(e.argv, wrapped)).every((e) => e.paddock === true)).toBe(true);
    expect(first.filter((e) => e.argv[0] === 'sh' && e.argv[1] === '-c' && e.argv[2]?.startsWith('stty cols')).every((e) => e.paddock === true)).toBe(true);
    expect(first.filter((e) => same(e.argv, command)).every((e) => e.paddock !== true)).toBe(true);

    // Threat: the agent copies the wrapper's exact argv (readable in /proc) to hide a process, and
    // a near copy (another size). Neither is marked: the window closed when its command started.
    const lookalike = ['script', '-qfec', wrapped[2]!, '/dev/null'];
    const near = ['script', '-qfec', wrapped[2]!.replace('cols 83', 'cols 84'), '/dev/null'];
    s.write(`${near.map(shQuote).join(' ')}\r`);
    await until(() => execs().some((e) => same(e.argv, near)));
    // Back in the user's shell once the nested one has said `exit` and the outer prompt is shown.
    const mark = out.length;
    s.write('exit\r');
    await until(() => /\rexit\r\n[^]*\$ $/.test(out.slice(mark)));
    s.write('echo back-$((2+2))\r');
    await until(() => out.includes('back-4'));
    s.write(`${lookalike.map(shQuote).join(' ')}\r`);
    const copies = (): Exec[] => execs().filter((e) => same(e.argv, lookalike) && !first.some((f) => f.id === e.id));
    await until(() => copies().length > 0);
    expect(copies().every((e) => e.paddock !== true)).toBe(true);
    expect(execs().filter((e) => same(e.argv, near)).every((e) => e.paddock !== true)).toBe(true);
    s.write('exit\r');
    await s.close();
  });
});
