import { procStartTime, readCmdline } from './proc.js';
import type { ProcExecEvent } from './types.js';

/** Longest argv element kept in an event (threat: a process with a huge argv bloating the log). */
const MAX_ARG = 4096;
const MAX_ARGS = 256;

/**
 * Polls the run's processes and reports each new program start once as a proc.exec event.
 * A pid whose argv changes (an exec without a fork) is reported again. Processes that start and end
 * between two polls are missed: polling is a record, not a gate. Beyond `ratePerSec` events in one
 * second the rest are folded into one summary event (`pid: 0, argv: [], suppressed: N`), so a fork bomb
 * cannot flood the log.
 */
export class ProcWatcher {
  private readonly seen = new Map<number, { start: number; argv: string }>();
  private timer: NodeJS.Timeout | null = null;
  private windowStart = Date.now();
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly list: () => number[],
    private readonly skip: (pid: number) => boolean,
    private readonly emit: (e: ProcExecEvent) => void,
    private readonly pollMs = 50,
    private readonly ratePerSec = 50,
  ) {}

  /** Starts polling (and polls once right away). */
  start(): void {
    this.poll();
    this.timer = setInterval(() => this.poll(), this.pollMs);
    this.timer.unref();
  }

  /** One scan: report new pids and argv changes, forget pids that are gone. */
  poll(): void {
    const now = Date.now();
    if (now - this.windowStart >= 1000) this.flushSummary(now);
    let live: number[];
    try {
      live = this.list();
    } catch {
      return;
    }
    const liveSet = new Set(live);
    for (const pid of this.seen.keys()) if (!liveSet.has(pid)) this.seen.delete(pid);
    for (const pid of live) {
      if (this.skip(pid)) continue;
      const start = procStartTime(pid);
      const argv = readCmdline(pid);
      if (start === null || argv === null) continue;
      const key = argv.join('\0');
      const prev = this.seen.get(pid);
      if (prev && prev.start === start && prev.argv === key) continue;
      this.seen.set(pid, { start, argv: key });
      if (this.inWindow >= this.ratePerSec) {
        this.suppressed++;
        continue;
      }
      this.inWindow++;
      this.emit({ kind: 'proc.exec', pid, argv: argv.slice(0, MAX_ARGS).map((a) => (a.length > MAX_ARG ? `${a.slice(0, MAX_ARG)}…` : a)) });
    }
  }

  private flushSummary(now: number): void {
    if (this.suppressed > 0) this.emit({ kind: 'proc.exec', pid: 0, argv: [], suppressed: this.suppressed });
    this.suppressed = 0;
    this.inWindow = 0;
    this.windowStart = now;
  }

  /** Stops polling and reports any pending summary. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flushSummary(Date.now());
  }
}
