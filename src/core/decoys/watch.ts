/**
 * Watches a run's decoy files from the host: inotify IN_OPEN/IN_ACCESS through the native helper
 * `paddock-decoy-watch`, or, without it, by polling the files' access times (coarser: a mount
 * with noatime, or a second read within a day under relatime, goes unseen).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, statSync } from 'node:fs';
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

/** Starts watching `files` (absolute paths); `hit(i)` runs for each open of `files[i]`. Resolves once watching. */
export async function watchDecoys(files: string[], hit: (i: number) => void): Promise<DecoyWatch> {
  if (files.length === 0) return { close: () => {} };
  const bin = nativeBinary('paddock-decoy-watch');
  if (bin) {
    // Threat: paths on a command line are world-readable (/proc/PID/cmdline): the files are opened
    // here without following links and passed as fds 3.., named by /proc/self/fd/N.
    const fds: number[] = [];
    let child: ChildProcess;
    try {
      for (const f of files) fds.push(openSync(f, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK));
      child = spawn(bin, fds.map((_, i) => `/proc/self/fd/${3 + i}`), { stdio: ['ignore', 'pipe', 'ignore', ...fds] });
    } finally {
      for (const fd of fds) closeSync(fd);
    }
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
      const i = Number(l);
      if (Number.isInteger(i) && i >= 0 && i < files.length) hit(i);
    });
    child.on('error', () => {});
    return { close: () => void child.kill('SIGTERM') };
  }
  return pollDecoys(files, hit);
}

/** The fallback watch: each file's access time, polled. */
export function pollDecoys(files: string[], hit: (i: number) => void): DecoyWatch {
  const seen = files.map((f) => atime(f));
  const timer = setInterval(() => {
    files.forEach((f, i) => {
      const t = atime(f);
      if (t !== null && seen[i] !== null && t > seen[i]!) hit(i);
      seen[i] = t;
    });
  }, POLL_MS);
  timer.unref();
  return { close: () => clearInterval(timer) };
}

/** A file's access time (ms), or null when it cannot be read. */
export function atime(f: string): number | null {
  try {
    return statSync(f).atimeMs;
  } catch {
    return null;
  }
}
