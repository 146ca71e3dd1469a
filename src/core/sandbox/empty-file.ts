/**
 * The empty, mode-0000 file bound over masked files (unreadable, not runnable, empty). One per
 * user, reused by every launch: creating and removing one per run cost the start ~1 ms. It lives
 * in a 0700 folder of our own under the host's /tmp, which agents never see.
 * Threat: another local user pre-creating the folder or planting a link to steer the binds; we
 * only use a folder we own that is not a link, else a fresh private one for this process.
 */
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let fallbackDir: string | null = null;

function ours(p: string, dir: boolean): boolean {
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (!st || st.isSymbolicLink()) return false;
  if (dir ? !st.isDirectory() || (st.mode & 0o077) !== 0 : !st.isFile() || st.size !== 0 || (st.mode & 0o777) !== 0) return false;
  return process.getuid === undefined || st.uid === process.getuid();
}

function ensureEmpty(file: string): void {
  if (ours(file, false)) return;
  rmSync(file, { force: true });
  closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o000));
  chmodSync(file, 0o000);
}

/** The path of the shared empty file, checked (and re-created if needed) at each call. */
export function emptyMaskFile(): string {
  const dir = path.join(os.tmpdir(), `paddock-${process.getuid?.() ?? 'user'}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (ours(dir, true)) {
    const file = path.join(dir, 'masked');
    ensureEmpty(file);
    return file;
  }
  if (fallbackDir === null || !ours(fallbackDir, true)) fallbackDir = mkdtempSync(path.join(os.tmpdir(), 'paddock-mask-'));
  const file = path.join(fallbackDir, 'masked');
  ensureEmpty(file);
  return file;
}
