import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ is 100 on every Linux ABI Node runs on). */
export const CLK_TCK = 100;
/** Page size for /proc/<pid>/statm (4 KiB on x86_64 / most arm64 kernels). */
export const PAGE_SIZE = 4096;

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** argv of a process from /proc/<pid>/cmdline, or null when it is gone (or a kernel thread). */
export function readCmdline(pid: number): string[] | null {
  const raw = readOr(`/proc/${pid}/cmdline`);
  if (raw === null || raw.length === 0) return null;
  const parts = raw.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The fields of /proc/<pid>/stat after the `(comm)` part, which may itself contain spaces and parens. */
function statFields(pid: number | string): string[] | null {
  const raw = readOr(`/proc/${pid}/stat`);
  if (raw === null) return null;
  const close = raw.lastIndexOf(')');
  if (close < 0) return null;
  return raw.slice(close + 2).trim().split(' ');
}

/** Process state letter (R, S, D, T, t, Z…) or null when gone. */
export function procState(pid: number): string | null {
  return statFields(pid)?.[0] ?? null;
}

/** utime+stime in ticks, or 0 when gone. */
export function procCpuTicks(pid: number): number {
  const f = statFields(pid);
  if (!f) return 0;
  return Number(f[11] ?? 0) + Number(f[12] ?? 0);
}

/** Start time since boot in ticks: with the pid, a unique identity for a process (pids get reused). */
export function procStartTime(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[19] ?? 0) : null;
}

/** Resident set size in bytes, or 0 when gone. */
export function procRss(pid: number): number {
  const raw = readOr(`/proc/${pid}/statm`);
  if (!raw) return 0;
  return Number(raw.split(' ')[1] ?? 0) * PAGE_SIZE;
}

/** Direct children of a process (from /proc/<pid>/task/<pid>/children). */
export function procChildren(pid: number): number[] {
  const raw = readOr(`/proc/${pid}/task/${pid}/children`);
  if (!raw) return [];
  return raw
    .trim()
    .split(/\s+/)
    .filter((s) => s.length > 0)
    .map(Number);
}

/** The inode-identifying link of the pid namespace of a process, e.g. `pid:[4026532201]`, or null. */
export function pidNamespace(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** Every pid on the host. */
export function allPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const n = Number(name);
    if (Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}

/** Every host pid whose pid namespace is `ns` (the whole sandbox when `ns` is the sandbox's), except those in `skip`. */
export function pidsInNamespace(ns: string, skip?: ReadonlySet<number>): number[] {
  return allPids().filter((p) => !skip?.has(p) && pidNamespace(p) === ns);
}

function taskRuns(f: string[] | null): boolean {
  return f !== null && f[0] !== 'Z' && f[0] !== 'X';
}

/**
 * True while the process exists and is not a zombie, or while any of its threads is not: a
 * process whose main thread ended while other threads run is alive. (A task still in exit() is
 * alive too, until it is gone: "no process of the agent remains" means none is listed at all.)
 */
export function isAlive(pid: number): boolean {
  const f = statFields(pid);
  if (!f) return false;
  if (taskRuns(f)) return true;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return tids.some((t) => t !== String(pid) && taskRuns(statFields(`${pid}/task/${t}`)));
}

/** Sends a signal, ignoring processes that are already gone. */
export function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone — nothing to do.
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
