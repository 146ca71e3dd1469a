import { constants } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { CopyProgress } from './spec.js';

interface Entry {
  rel: string;
  kind: 'dir' | 'file' | 'link';
  mode: number;
}

/** Leaves a path (relative to the copied folder, '' for itself) out of the copy: `deny read` rules. */
export type CopySkip = (rel: string, isDir: boolean) => boolean;

async function list(root: string, skip: CopySkip): Promise<Entry[]> {
  const out: Entry[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const d of await readdir(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === '' ? d.name : `${rel}/${d.name}`;
      const st = await lstat(path.join(root, r));
      if (skip(r, st.isDirectory())) continue;
      if (st.isDirectory()) {
        out.push({ rel: r, kind: 'dir', mode: st.mode });
        await walk(r);
      } else if (st.isFile()) out.push({ rel: r, kind: 'file', mode: st.mode });
      else if (st.isSymbolicLink()) out.push({ rel: r, kind: 'link', mode: 0 });
      // Sockets, fifos and devices are not copied (threat: handing the agent a host socket).
    }
  };
  await walk('');
  return out;
}

/**
 * Copy a granted `copy` folder (or file) to `dest` on first start only; returns false when
 * `dest` already exists (the agent's copy is kept). Symlinks are copied as symlinks, never
 * followed (threat: a link in the source leading the copy out of the granted folder); setuid
 * bits are dropped; paths `skip` names (files `deny read` rules hide) are left out. The copy is built in a temporary folder and renamed into place, so an
 * interrupted copy is redone at the next start.
 */
export async function copyFolderOnce(
  src: string,
  dest: string,
  folder: string,
  onProgress?: (e: CopyProgress) => void,
  skip: CopySkip = () => false,
): Promise<boolean> {
  if (await lstat(dest).catch(() => null)) return false;
  // stat, not lstat: `src` may be /proc/self/fd/N, the source held open since it was checked.
  const top = await stat(src);
  if (skip('', top.isDirectory())) return false;
  const tmp = await mkdtemp(path.join(path.dirname(dest), '.paddock-copy-'));
  try {
    if (top.isFile()) {
      onProgress?.({ kind: 'copy', folder, copied: 0, total: 1 });
      const f = path.join(tmp, 'f');
      await copyFile(src, f, constants.COPYFILE_EXCL);
      await chmod(f, top.mode & 0o777);
      await rename(f, dest);
      onProgress?.({ kind: 'copy', folder, copied: 1, total: 1 });
      return true;
    }
    const entries = await list(src, skip);
    const total = entries.length;
    let copied = 0;
    let lastReport = 0;
    onProgress?.({ kind: 'copy', folder, copied, total });
    for (const e of entries) {
      const to = path.join(tmp, e.rel);
      if (e.kind === 'dir') await mkdir(to, { mode: 0o700 });
      else if (e.kind === 'file') {
        await copyFile(path.join(src, e.rel), to, constants.COPYFILE_EXCL);
        await chmod(to, e.mode & 0o777);
      } else await symlink(await readlink(path.join(src, e.rel)), to);
      copied++;
      if (copied - lastReport >= 100 || copied === total) {
        lastReport = copied;
        onProgress?.({ kind: 'copy', folder, copied, total });
      }
    }
    // Directory modes last, so read-only source folders do not block the copy itself.
    for (const e of entries) if (e.kind === 'dir') await chmod(path.join(tmp, e.rel), (e.mode & 0o777) | 0o700);
    await chmod(tmp, (top.mode & 0o777) | 0o700);
    await rename(tmp, dest);
    return true;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
