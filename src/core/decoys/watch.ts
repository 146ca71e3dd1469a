/**
 * Watches a run's decoy files from the host: inotify IN_OPEN/IN_ACCESS through the native helper
 * `paddock-decoy-watch`, or, without it, by polling the files' access times (coarser: a mount
 * with noatime, or a second read within a day under relatime, goes unseen).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { nativeBinary } from '../native.js';

/** How decoy reads are watched: the native inotify helper, or access-time polling. */
export function decoyWatchMode(): 'inotify' | 'atime' {
  return nativeBinary('paddock-decoy-watch') ? 'inotify' : 'atime';
}

export interface DecoyWatch {
  close(): void;
}

const POLL_MS = 250;

/**
 * Opens the decoys just placed (and checked) to watch them: before the agent runs, without following
 * links; opening moves no access time. Threat: a watch that opens the paths after the launch follows
 * whatever the agent put there in the meantime (`mv ~/.aws/credentials ~/x` and a file of its own
 * in its place: its own file watched, the decoy read unseen; or a false alert for its own file).
 * Returns one fd per file (-1 when it could not be opened: that one is not watched).
 */
export function openDecoys(files: readonly string[]): number[] {
  return files.map((f) => {
    try {
      return openSync(f, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return -1;
    }
  });
}

/** Closes what {@link openDecoys} opened. */
export function closeDecoys(fds: readonly number[]): void {
  for (const fd of fds) if (fd >= 0) closeSync(fd);
}

/**
 * Starts watching the decoys open as `fds` (from {@link openDecoys}, still the caller's); `hit(i)`
 * runs for each open of the file of `fds[i]`. Resolves once watching.
 */
export async function watchDecoys(fds: readonly number[], hit: (i: number) => void): Promise<DecoyWatch> {
  const open = fds.map((fd, i) => ({ fd, i })).filter((x) => x.fd >= 0);
  if (open.length === 0) return { close: () => {} };
  const bin = nativeBinary('paddock-decoy-watch');
  if (bin) {
    // Threat: paths on a command line are world-readable (/proc/PID/cmdline): the files are passed
    // as fds 3.., named by /proc/self/fd/N.
    const child: ChildProcess = spawn(bin, open.map((_, k) => `/proc/self/fd/${3 + k}`), { stdio: ['ignore', 'pipe', 'ignore', ...open.map((x) => x.fd)] });
    const lines = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve, reject) => {
      const onExit = (): void => reject(new Error('paddock-decoy-watch exited before it was ready'));
      child.once('error', reject);
      child.once('exit', onExit);
      lines.once('line', () => {
        child.off('exit', onExit);
        resolve();
      });
    });
    lines.on('line', (l) => {
      const k = Number(l);
      if (Number.isInteger(k) && k >= 0 && k < open.length) hit(open[k]!.i);
    });
    child.on('error', () => {});
    return {
      close: () => {
        child.kill('SIGTERM');
        // Its exit is not waited for: a host ending with its run exits at once instead of ~5 ms
        // later (the reap). It cannot outlive this process: PR_SET_PDEATHSIG kills it with us.
        child.unref();
        (child.stdout as Socket | null)?.unref();
      },
    };
  }
  return pollDecoys(fds, hit);
}

/** The fallback watch: each file's access time, polled (through its fd: the decoy, wherever it went). */
export function pollDecoys(fds: readonly number[], hit: (i: number) => void): DecoyWatch {
  const seen = fds.map((fd) => atime(fd));
  const timer = setInterval(() => {
    fds.forEach((fd, i) => {
      const t = atime(fd);
      if (t !== null && seen[i] !== null && t > seen[i]!) hit(i);
      seen[i] = t;
    });
  }, POLL_MS);
  timer.unref();
  return { close: () => clearInterval(timer) };
}

/** The access time (ms) of an open decoy, or null. */
export function atime(fd: number): number | null {
  if (fd < 0) return null;
  try {
    return fstatSync(fd).atimeMs;
  } catch {
    return null;
  }
}
