// PADDOCK_TIMING=1: the command line notes when it reaches each phase and prints them as one JSON
// line on stderr when the process exits (`npm run bench` reads it to say where a start's time goes).
// Off, a mark is one comparison.

const on = process.env.PADDOCK_TIMING === '1';
const marks: [string, number][] = [];

/** Notes that `phase` was reached at `at` (ms since the process started, performance.now(); default now). */
export function mark(phase: string, at: number = on ? performance.now() : 0): void {
  if (!on) return;
  if (!marks.length) process.once('exit', () => void process.stderr.write(`paddock-timing ${JSON.stringify(Object.fromEntries(marks.concat([['exit', performance.now()]])))}\n`));
  marks.push([phase, at]);
}
