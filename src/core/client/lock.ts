import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { PaddockError } from '../../shared/errors.js';
import { processAlive, processStartTime } from '../data-dir/index.js';

/** Who holds the host lock of a data dir. */
export interface LockOwner {
  pid: number;
  /** The owner's start time (from /proc) so a recycled pid is not mistaken for the owner. */
  start: string | null;
  command: string;
  since: string;
}

const isAlive = (owner: LockOwner): boolean => processAlive(owner.pid, owner.start);

function readOwner(path: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/** A held lock; release() removes it (only if it is still ours). */
export interface HostLock {
  owner: LockOwner;
  release(): void;
}

/**
 * Takes the one-host-per-data-dir lock, or throws E_LOCKED naming the process that holds it.
 * Threat: two hosts on one data dir would race for the control socket and run agents twice.
 */
export function acquireHostLock(path: string, command: string): HostLock {
  const me: LockOwner = { pid: process.pid, start: processStartTime(process.pid), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return {
        owner: me,
        release() {
          const cur = readOwner(path);
          if (cur && cur.pid === me.pid && cur.start === me.start) {
            try {
              unlinkSync(path);
            } catch {
              /* already gone */
            }
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new PaddockError('E_LOCKED', `cannot create the host lock ${path}: ${(e as Error).message}; check the data dir's permissions`);
      }
    }
    const owner = readOwner(path);
    if (owner && isAlive(owner)) {
      throw new PaddockError(
        'E_LOCKED',
        `another Paddock host (pid ${owner.pid}, ${owner.command}, since ${owner.since}) is using this data dir; use it, or stop it first`,
      );
    }
    // Stale (its process is gone): move it aside atomically, check it is the one we judged stale,
    // and put it back (without clobbering a newer one) if another starter replaced it meanwhile.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = readOwner(aside);
    if (owner && moved && (moved.pid !== owner.pid || moved.start !== owner.start)) {
      try {
        linkSync(aside, path);
      } catch {
        /* someone else holds it now; the loop will see them */
      }
    }
    try {
      unlinkSync(aside);
    } catch {
      /* ignore */
    }
  }
  throw new PaddockError('E_LOCKED', `could not take the host lock ${path}; try again`);
}

/** Reads the current owner without taking the lock (for error messages and `doctor`). */
export function lockOwner(path: string): LockOwner | null {
  const o = readOwner(path);
  return o && isAlive(o) ? o : null;
}
