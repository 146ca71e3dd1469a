import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupLayout } from './cgroup-detect.js';
import { sleep } from './proc.js';
import type { CgroupMode, RunLimits } from './types.js';

const CPU_PERIOD_US = 100_000;

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Keeps cgroup directory names to a safe alphabet (threat: a run id with `/` or `..` escaping the parent). */
export function cgroupName(agent: string, runId: string): string {
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');
  return `${clean(agent)}-${clean(runId)}`.slice(0, 200);
}

/** How often a run's limits bit (see {@link RunCgroup.limitHits}). */
export interface LimitHits {
  /** Processes killed at the memory limit. */
  memory: number;
  /** Process starts refused at the process limit. */
  processes: number;
}

/**
 * The cgroups of one run: limits, membership, freeze/thaw, kill and accounting.
 * On a hybrid machine (v1 controllers + v2 unified) it uses v1 for limits and v2 for freeze/kill.
 */
export class RunCgroup {
  /** Directory per key: v1 controller name or 'unified'. */
  readonly dirs: Record<string, string> = {};
  /** What enforces what; keys memory, processes, cpu, freeze, kill. */
  readonly enforcement: Record<string, string> = {};
  /** Limits this cgroup could not enforce (the launcher falls back to rlimits for them). */
  readonly unenforced: Array<keyof RunLimits> = [];
  private frozenBy: 'v2' | 'v1' | null = null;

  private constructor(
    readonly mode: CgroupMode,
    private readonly layout: CgroupLayout,
  ) {}

  /** Creates the run's cgroups and applies the limits. Throws if a directory cannot be created. */
  static create(layout: CgroupLayout, agent: string, runId: string, limits: RunLimits): RunCgroup {
    const cg = RunCgroup.make(layout, cgroupName(agent, runId), limits);
    cg.limit(limits);
    return cg;
  }

  /**
   * Cgroups for a run not yet known (a pre-started launcher): every hierarchy any limit could need,
   * no limits yet. `limit` sets them once the run is known, before anything of it runs.
   */
  static spare(layout: CgroupLayout, name: string): RunCgroup {
    return RunCgroup.make(layout, name, { memory: 1, processes: 1, cpu: 1 });
  }

  private static make(layout: CgroupLayout, name: string, limits: RunLimits): RunCgroup {
    const cg = new RunCgroup(layout.mode, layout);
    for (const [key, parent] of Object.entries(layout.parents)) {
      if (key !== 'unified' && (cg.v2Full || !cg.needs(key, limits))) continue;
      const dir = join(parent, name);
      try {
        mkdirSync(dir);
      } catch (e) {
        for (const d of Object.values(cg.dirs)) {
          try {
            rmdirSync(d);
          } catch {
            // swept later
          }
        }
        throw e;
      }
      cg.dirs[key] = dir;
    }
    return cg;
  }

  private get v2Full(): boolean {
    return this.mode === 'v2-root' || this.mode === 'v2-delegated';
  }

  /**
   * Whether a v1 hierarchy is worth joining for this run: each join costs the start a few ms, so a
   * controller is used only for a limit that is set, or when v2 cannot do its job (freeze, accounting).
   */
  private needs(key: string, limits: RunLimits): boolean {
    const u = this.layout.parents.unified !== undefined;
    switch (key) {
      case 'memory':
        return limits.memory !== null;
      case 'pids':
        return limits.processes !== null || !u;
      case 'cpu':
        return limits.cpu !== null;
      case 'cpuacct':
        return !u;
      case 'freezer':
        return !this.has('v2-freeze');
      default:
        return true;
    }
  }

  private has(feature: string): boolean {
    return this.layout.controllers.includes(feature);
  }

  /** Writes the run's limits (once). Throws if the kernel refuses one (the run must not start then). */
  limit(limits: RunLimits): void {
    const v2Full = this.v2Full;
    const u = this.dirs.unified;
    if (limits.memory !== null) {
      const bytes = String(Math.max(1, Math.floor(limits.memory)));
      if (this.dirs.memory) {
        writeFileSync(join(this.dirs.memory, 'memory.limit_in_bytes'), bytes);
        // Threat: swapping past the limit; memsw caps memory+swap where swap accounting is on.
        const memsw = join(this.dirs.memory, 'memory.memsw.limit_in_bytes');
        if (existsSync(memsw)) writeFileSync(memsw, bytes);
        this.enforcement.memory = 'cgroup v1 memory.limit_in_bytes';
      } else if (v2Full && u && this.has('v2-memory')) {
        writeFileSync(join(u, 'memory.max'), bytes);
        if (existsSync(join(u, 'memory.swap.max'))) writeFileSync(join(u, 'memory.swap.max'), '0');
        this.enforcement.memory = 'cgroup v2 memory.max';
      } else this.unenforced.push('memory');
    }
    if (limits.processes !== null) {
      const n = String(Math.max(1, Math.floor(limits.processes)));
      if (this.dirs.pids) {
        writeFileSync(join(this.dirs.pids, 'pids.max'), n);
        this.enforcement.processes = 'cgroup v1 pids.max';
      } else if (v2Full && u && this.has('v2-pids')) {
        writeFileSync(join(u, 'pids.max'), n);
        this.enforcement.processes = 'cgroup v2 pids.max';
      } else this.unenforced.push('processes');
    }
    if (limits.cpu !== null) {
      // Quota = cores × period; the kernel's minimum quota is 1 ms.
      const quota = String(Math.max(1000, Math.round(limits.cpu * CPU_PERIOD_US)));
      if (this.dirs.cpu) {
        writeFileSync(join(this.dirs.cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
        writeFileSync(join(this.dirs.cpu, 'cpu.cfs_quota_us'), quota);
        this.enforcement.cpu = 'cgroup v1 cpu.cfs_quota_us';
      } else if (v2Full && u && this.has('v2-cpu')) {
        writeFileSync(join(u, 'cpu.max'), `${quota} ${CPU_PERIOD_US}`);
        this.enforcement.cpu = 'cgroup v2 cpu.max';
      } else this.unenforced.push('cpu');
    }
    if (u && this.has('v2-freeze')) this.enforcement.freeze = 'cgroup v2 cgroup.freeze';
    else if (this.dirs.freezer) this.enforcement.freeze = 'cgroup v1 freezer.state';
    if (u && this.has('v2-kill')) this.enforcement.kill = 'cgroup v2 cgroup.kill';
  }

  /** The cgroup.procs files the wrapper writes its pid into before it execs bwrap. */
  procsFiles(): string[] {
    return Object.values(this.dirs).map((d) => join(d, 'cgroup.procs'));
  }

  /** Every pid in the run's cgroup (from the hierarchy that tracks membership best). */
  members(): number[] {
    const dir = this.dirs.unified ?? this.dirs.pids ?? this.dirs.freezer ?? Object.values(this.dirs)[0];
    if (!dir) return [];
    const raw = read(join(dir, 'cgroup.procs')) ?? '';
    return raw
      .split('\n')
      .filter((s) => s.length > 0)
      .map(Number);
  }

  /** True when this cgroup can freeze its members. */
  get canFreeze(): boolean {
    return this.enforcement.freeze !== undefined;
  }

  /** Freezes every member; resolves once the kernel reports the whole cgroup frozen. */
  async freeze(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    if (this.enforcement.freeze === 'cgroup v2 cgroup.freeze') {
      const u = this.dirs.unified!;
      writeFileSync(join(u, 'cgroup.freeze'), '1');
      this.frozenBy = 'v2';
      while (!/^frozen 1$/m.test(read(join(u, 'cgroup.events')) ?? '') && Date.now() < deadline) await sleep(1);
      return;
    }
    const f = this.dirs.freezer!;
    writeFileSync(join(f, 'freezer.state'), 'FROZEN');
    this.frozenBy = 'v1';
    while ((read(join(f, 'freezer.state')) ?? '').trim() !== 'FROZEN' && Date.now() < deadline) {
      await sleep(1);
      // FREEZING can stall on a task in an uninterruptible sleep; re-asserting FROZEN retries it.
      writeFileSync(join(f, 'freezer.state'), 'FROZEN');
    }
  }

  /** True when the kernel reports the run frozen. */
  isFrozen(): boolean {
    if (this.frozenBy === 'v2') return /^frozen 1$/m.test(read(join(this.dirs.unified!, 'cgroup.events')) ?? '');
    if (this.frozenBy === 'v1') return (read(join(this.dirs.freezer!, 'freezer.state')) ?? '').trim() === 'FROZEN';
    return false;
  }

  /** Thaws every member. */
  thaw(): void {
    try {
      if (this.frozenBy === 'v2') writeFileSync(join(this.dirs.unified!, 'cgroup.freeze'), '0');
      // Thaw v1 too: a v1-frozen task ignores even SIGKILL until thawed.
      if (this.dirs.freezer) writeFileSync(join(this.dirs.freezer, 'freezer.state'), 'THAWED');
    } catch {
      // the cgroup is already gone
    }
    this.frozenBy = null;
  }

  /** SIGKILLs every member at once through cgroup.kill; false if this kernel has none. */
  killAll(): boolean {
    if (this.enforcement.kill === undefined) return false;
    try {
      writeFileSync(join(this.dirs.unified!, 'cgroup.kill'), '1');
      return true;
    } catch {
      return false;
    }
  }

  /** Total CPU time used by the run, in nanoseconds. */
  cpuUsageNs(): number | null {
    if (this.dirs.cpuacct) {
      const v = read(join(this.dirs.cpuacct, 'cpuacct.usage'));
      if (v !== null) return Number(v.trim());
    }
    if (this.dirs.unified) {
      const m = /^usage_usec (\d+)$/m.exec(read(join(this.dirs.unified, 'cpu.stat')) ?? '');
      if (m) return Number(m[1]) * 1000;
    }
    return null;
  }

  /** Memory charged to the run, in bytes. */
  memoryBytes(): number | null {
    const f = this.dirs.memory ? join(this.dirs.memory, 'memory.usage_in_bytes') : this.dirs.unified ? join(this.dirs.unified, 'memory.current') : null;
    const v = f ? read(f) : null;
    return v === null ? null : Number(v.trim());
  }

  /**
   * How often the run's limits bit: processes the kernel killed at the memory limit (`oom_kill`)
   * and process starts refused at the process limit (`max` of pids.events).
   */
  limitHits(): LimitHits {
    const count = (file: string | null, key: string): number => {
      const m = file ? new RegExp(`^${key} (\\d+)$`, 'm').exec(read(file) ?? '') : null;
      return m ? Number(m[1]) : 0;
    };
    const u = this.v2Full ? this.dirs.unified : undefined;
    const mem = this.dirs.memory ? join(this.dirs.memory, 'memory.oom_control') : u ? join(u, 'memory.events') : null;
    const pids = this.dirs.pids ? join(this.dirs.pids, 'pids.events') : u ? join(u, 'pids.events') : null;
    return { memory: count(mem, 'oom_kill'), processes: count(pids, 'max') };
  }

  /** Removes the run's cgroups (retrying while the last members are being reaped). */
  async remove(): Promise<void> {
    for (const dir of Object.values(this.dirs)) {
      for (let i = 0; i < 50; i++) {
        try {
          rmdirSync(dir);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
          await sleep(20);
        }
      }
    }
  }
}
