import { closeSync, constants, lstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
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
