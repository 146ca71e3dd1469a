import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';

/**
 * Write the instruction file into the workspace, replacing whatever is there.
 * Threat: the agent planted `PADDOCK.md -> ~/.bashrc` (or a directory) in a previous run so that
 * Paddock, writing with its own rights, clobbers a host file. We never follow it: the content goes
 * to a fresh file created with O_EXCL|O_NOFOLLOW, then renamed over the name (rename replaces a
 * symlink itself, not its target).
 */
export async function writeInstructionFile(workspace: string, name: string, content: string): Promise<string> {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new PaddockError('E_INVALID_INPUT', `The instruction file name "${name}" must be a plain file name such as PADDOCK.md.`);
  }
  const target = path.join(workspace, name);
  if (sameRegularFile(target, content)) return target;
  const tmp = path.join(workspace, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  // Synchronous: a tiny local write on the launch path (no thread-pool round trips).
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    const buf = Buffer.from(content);
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
  } finally {
    closeSync(fd);
  }
  try {
    const st = lstatSync(target, { throwIfNoEntry: false });
    // rename() cannot replace a directory with a file; remove it (rm does not follow symlinks inside).
    if (st?.isDirectory()) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return target;
}

/**
 * True when `file` already is a plain regular file (not a link, one name) holding exactly `content`:
 * then nothing is written (a rewrite costs the start half a ms). Opened with O_NOFOLLOW: a planted
 * symlink is never read through, and any doubt means a rewrite.
 */
function sameRegularFile(file: string, content: string): boolean {
  const want = Buffer.from(content);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.nlink !== 1 || st.size !== want.length) return false;
    const got = Buffer.alloc(want.length + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < got.length; n += r) r = readSync(fd, got, n, got.length - n, n);
    return n === want.length && got.subarray(0, n).equals(want);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
