/**
 * The `cpu-sustained` tripwire: samples each watched agent's CPU use (in cores) every
 * interval and raises an alert when it stays at or above a threshold for a sustained period.
 * Threat: an agent quietly mining crypto-currency on the user's machine.
 */
import type { Tripwires } from './tripwires.js';

/** Options of the CPU watch. */
export interface CpuWatchOptions {
  /** CPU use of the agent's processes, in cores (1.0 = one core busy), or null when unknown. */
  stats(agent: string): number | null | Promise<number | null>;
  tripwires: Tripwires;
  /** Cores at or above which a sample counts as busy (default 0.9). */
  threshold?: number;
  /** How long the agent must stay busy (default 120 s). */
  sustainedMs?: number;
  /** Sampling interval (default 1000 ms). */
  intervalMs?: number;
  now?: () => number;
}

interface Watched {
  run: string | null;
  busySince: number | null;
  fired: boolean;
}

/** Samples watched agents; call `stop()` when done. */
export class CpuWatch {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private sampling = false;

  constructor(private readonly opts: CpuWatchOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Starts watching an agent (its run started). */
  watch(agent: string, run: string | null = null): void {
    this.watched.set(agent, { run, busySince: null, fired: false });
    if (!this.timer) {
      this.timer = setInterval(() => void this.sample(), this.opts.intervalMs ?? 1000);
      this.timer.unref();
    }
  }

  /** Stops watching an agent. */
  unwatch(agent: string): void {
    this.watched.delete(agent);
    if (this.watched.size === 0) this.stop();
  }

  /** Takes one sample of every watched agent now (the timer calls this). */
  async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const threshold = this.opts.threshold ?? 0.9;
      const sustained = this.opts.sustainedMs ?? 120_000;
      for (const [agent, w] of this.watched) {
        let cpu: number | null;
        try {
          cpu = await this.opts.stats(agent);
        } catch {
          cpu = null;
        }
        const t = this.now();
        if (cpu === null || cpu < threshold) {
          // Re-arm once the agent calms down.
          w.busySince = null;
          w.fired = false;
          continue;
        }
        w.busySince ??= t;
        if (!w.fired && t - w.busySince >= sustained) {
          w.fired = true;
          this.opts.tripwires.raise(agent, w.run, 'cpu-sustained', `the agent used ${cpu.toFixed(2)} cores for ${Math.round((t - w.busySince) / 1000)} s (threshold ${threshold})`, { cpu });
        }
      }
    } finally {
      this.sampling = false;
    }
  }

  /** Stops the timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
