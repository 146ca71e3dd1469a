import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import { isWithin } from './layout.js';

/**
 * Prepare the mount point of an in-sandbox-only file (a file secret) that lies in a host-backed
 * tree: an empty placeholder on the host, the content itself arrives through a pipe and lives on
 * bwrap's tmpfs. Threat: a symlink or folder planted by the agent at that name steering the
 * mount elsewhere — it is removed, never followed.
 */
export async function preparePlaceholder(dest: string, hostTrees: string[]): Promise<void> {
  const tree = hostTrees.find((t) => isWithin(dest, t));
  if (!tree) return; // on the sandbox's own tmpfs: bwrap creates it
  const parent = path.dirname(dest);
  for (let d = parent; d !== tree && isWithin(d, tree); d = path.dirname(d)) {
    const st = await lstat(d).catch(() => null);
    if (st && !st.isDirectory()) await rm(d, { force: true });
  }
  await mkdir(parent, { recursive: true, mode: 0o700 });
  if ((await realpath(parent)) !== parent) {
    throw new PaddockError('E_INTERNAL', `Cannot place ${dest}: a folder on its path is a link. Remove it and retry.`);
  }
  const st = await lstat(dest).catch(() => null);
  if (st && !st.isFile()) await rm(dest, { recursive: true, force: true });
  if (!st || !st.isFile()) {
    const fh = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o400);
    await fh.close();
  }
}
