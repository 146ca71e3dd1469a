import type { RunCgroup } from './cgroup.js';
import {
  CLK_TCK,
  isAlive,
  pidNamespace,
  pidsInNamespace,
  procChildren,
  procCpuTicks,
  procRss,
  procState,
  signalPid,
  sleep,
} from './proc.js';

/** Our own pid namespace: a sandbox that shares it has no namespace of its own to scan. */
const OWN_PID_NS = pidNamespace(process.pid);

/**
 * Finds and signals every process of one run: the members of its cgroup, or (fallback)
 * every process in the sandbox's pid namespace plus the outer bwrap.
 */
export class RunControl {
  private ns: string | null = null;
  private init: number | null = null;
  private lastCpu: { at: number; usage: number } | null = null;
  /** Set once the outer bwrap has exited and been reaped. */
  hostGone = false;

  constructor(
    readonly hostPid: number,
    readonly cg: RunCgroup | null,
  ) {}

  /** The sandbox's pid-namespace init (bwrap's in-namespace child, pid 1 inside), once it exists. */
  nsInit(): number | null {
    if (this.init !== null && isAlive(this.init)) return this.init;
    if (this.hostGone) return null;
    for (const c of procChildren(this.hostPid)) {
      const ns = pidNamespace(c);
      if (ns !== null && ns !== OWN_PID_NS) {
        this.init = c;
        this.ns = ns;
        return c;
      }
    }
    return null;
  }

  /** Host pids of every live process of the run. */
  pids(): number[] {
    if (this.cg) return this.cg.members().filter(isAlive);
    this.nsInit();
    const out = new Set<number>();
    if (!this.hostGone && isAlive(this.hostPid)) out.add(this.hostPid);
    // The process tree: covers the window before the namespace exists and a plan without --unshare-pid.
    if (!this.hostGone) for (const p of this.descendants(this.hostPid)) out.add(p);
    // And every process in the namespace that the tree walk did not reach (checked on the rest only: faster, same result).
    if (this.ns !== null) for (const p of pidsInNamespace(this.ns, out)) if (isAlive(p)) out.add(p);
    return [...out];
  }

  private descendants(root: number): number[] {
    const out: number[] = [];
    const queue = [root];
    while (queue.length > 0 && out.length < 100_000) {
      for (const c of procChildren(queue.pop()!)) {
        if (isAlive(c)) out.push(c);
        queue.push(c);
      }
    }
    return out;
  }

  /** True when no process of the run remains. */
  empty(): boolean {
    return this.pids().length === 0;
  }

  /** How the run is frozen: cgroup freezer if there is one, else SIGSTOP to each process. */
  async freeze(): Promise<void> {
    if (this.cg?.canFreeze) return this.cg.freeze();
    // Threat: a process forked between our scan and its parent's stop would run on; rescan until a pass finds nothing new.
    const stopped = new Set<number>();
    for (let pass = 0; pass < 1000; pass++) {
      let fresh = 0;
      for (const p of this.pids()) {
        if (p === this.hostPid) continue;
        if (!stopped.has(p) || procState(p) !== 'T') {
          signalPid(p, 'SIGSTOP');
          stopped.add(p);
          fresh++;
        }
      }
      if (fresh === 0) return;
      await sleep(pass === 0 ? 1 : 2);
    }
  }

  /** Thaws the run (cgroup thaw, or SIGCONT to every process). */
  thaw(): void {
    if (this.cg?.canFreeze) return this.cg.thaw();
    for (let pass = 0; pass < 2; pass++) for (const p of this.pids()) signalPid(p, 'SIGCONT');
  }

  /** SIGKILL to every process at once; loops until none is left (or the timeout). */
  async killAll(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const viaCgroup = this.cg?.killAll() ?? false;
      // The outer bwrap always: right after launch the wrapper may not have joined the cgroup yet.
      if (!this.hostGone) signalPid(this.hostPid, 'SIGKILL');
      if (!viaCgroup) {
        // Killing the namespace init makes the kernel kill every process in the namespace (daemons included).
        const init = this.nsInit();
        if (init !== null) signalPid(init, 'SIGKILL');
        for (const p of this.pids()) signalPid(p, 'SIGKILL');
      }
      // A frozen task does not act on SIGKILL until thawed (v1 freezer; SIGSTOP is overridden by SIGKILL anyway).
      this.cg?.thaw();
      await sleep(1);
      if ((this.empty() && this.hostGone) || Date.now() > deadline) return;
      await sleep(5);
    }
  }

  /** SIGTERM to every process of the agent, sparing the two bwrap processes (their death would SIGKILL the rest at once). */
  terminate(): void {
    this.nsInit();
    const spare = new Set([this.hostPid, ...procChildren(this.hostPid)]);
    for (const p of this.pids()) if (!spare.has(p)) signalPid(p, 'SIGTERM');
  }

  /** CPU in cores since the previous call (first call samples over 100 ms), memory in bytes, process count. */
  async stats(): Promise<{ cpu: number; memory: number; pids: number }> {
    const usage = (): number => this.cg?.cpuUsageNs() ?? this.pids().reduce((s, p) => s + (procCpuTicks(p) * 1e9) / CLK_TCK, 0);
    if (this.lastCpu === null || Date.now() - this.lastCpu.at < 50) {
      this.lastCpu = { at: Date.now(), usage: usage() };
      await sleep(100);
    }
    const now = { at: Date.now(), usage: usage() };
    const cpu = Math.max(0, (now.usage - this.lastCpu.usage) / 1e6 / Math.max(1, now.at - this.lastCpu.at));
    this.lastCpu = now;
    const pids = this.pids();
    const memory = this.cg?.memoryBytes() ?? pids.reduce((s, p) => s + procRss(p), 0);
    return { cpu, memory, pids: pids.length };
  }
}
