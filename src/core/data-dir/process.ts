/**
 * Which process holds a record (the host lock, a console's registry entry): its pid and start
 * time, so a recycled pid is not taken for it. Here because the data dir's records and the light
 * client both need it, and the client already depends on this domain.
 */
import { readFileSync } from 'node:fs';

/** Start time of a process in clock ticks since boot (Linux), or null where it cannot be read. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether process `pid` still runs and is the one that started at `start` (when known): a recycled
 * pid is not taken for it. EPERM (someone else's live process) counts as alive.
 */
export function processAlive(pid: number, start: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = processStartTime(pid);
  return start === null || now === null || now === start;
}
