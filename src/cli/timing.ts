// PADDOCK_TIMING=1: the command line notes when it reaches each phase and prints them as one JSON
// line on stderr when the process exits (`npm run bench` reads it to say where a start's time goes).
// Off, a mark is one comparison.

const on = process.env.PADDOCK_TIMING === '1';
const marks: [string, number][] = [];

/** Notes that `phase` was reached at `at` (ms since the process started, performance.now(); default now). */
export function mark(phase: string, at: number = now()): void {
  if (!on) return;
  if (!marks.length) process.once('exit', () => void process.stderr.write(`paddock-timing ${JSON.stringify(Object.fromEntries(marks.concat([['exit', performance.now()]])))}\n`));
  marks.push([phase, at]);
}

/** Now (performance.now()) when timing is on, else 0: `performance` loads perf_hooks, ~1 ms of a client command's start. */
export function now(): number {
  return on ? performance.now() : 0;
}
