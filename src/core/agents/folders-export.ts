/**
 * Review and export of a `copy` folder: the agent works on `<workspace>/<basename>`; the user
 * sees what changed against the original host folder and copies the reviewed files back.
 *
 * Threat: the agent controls everything inside its copy. It can plant symlinks (to make the
 * export overwrite `~/.bashrc`, or read `/etc/shadow` into the user's folder), swap a directory
 * for a link between review and export, or name files with `..`. So: nothing in the copy is ever
 * followed; every file is opened with O_NOFOLLOW and the opened file's real path is checked to
 * lie inside the copy; symlinks and special files are never exported; host parents must be real
 * folders; files are written to a temp file and renamed into place (a link at the target is
 * replaced, never followed); export never deletes host files.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readlink, realpath, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ExportResult, FolderDiff, FolderFileChange } from '../../shared/api.js';
import { PaddockError } from '../../shared/errors.js';
import { unifiedDiff } from './text-diff.js';

export type { ExportResult, FolderDiff, FolderFileChange };

/** Files above this size get no text diff. */
export const MAX_DIFF_BYTES = 256 * 1024;
/** Entries walked per tree at most (threat: an agent making millions of files to hang the review). */
export const MAX_ENTRIES = 20_000;

type Kind = 'file' | 'symlink' | 'dir' | 'other';
interface Entry {
  kind: Kind;
  size: number;
  mode: number;
}

async function walk(root: string): Promise<{ entries: Map<string, Entry>; truncated: boolean }> {
  const entries = new Map<string, Entry>();
  let truncated = false;
  const visit = async (rel: string): Promise<void> => {
    const dir = rel === '' ? root : path.join(root, rel);
    const names = (await readdir(dir).catch(() => [] as string[])).sort();
    for (const n of names) {
      if (entries.size >= MAX_ENTRIES) {
        truncated = true;
        return;
      }
      const r = rel === '' ? n : `${rel}/${n}`;
      const st = await lstat(path.join(root, r)).catch(() => null);
      if (!st) continue;
      const kind: Kind = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      entries.set(r, { kind, size: st.size, mode: st.mode });
      if (kind === 'dir') await visit(r);
    }
  };
  await visit('');
  return { entries, truncated };
}

/** True for a clean relative path: no absolute, no `..`, no empty or `.` segments, no NUL. */
export function isCleanRelative(rel: string): boolean {
  if (rel.length === 0 || rel.length > 4096 || rel.includes('\0') || rel.startsWith('/')) return false;
  return rel.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/**
 * Opens `root/rel` for reading without following any link, and checks (through /proc on Linux,
 * realpath elsewhere) that the opened file really is inside `root` and is a regular file.
 */
async function openInside(root: string, rel: string): Promise<FileHandle> {
  const full = path.join(root, rel);
  const fh = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new PaddockError('E_FOLDER', `${rel} is not a regular file`);
    let real: string;
    if (process.platform === 'linux') real = await readlink(`/proc/self/fd/${fh.fd}`);
    else {
      // No fd-to-path on this platform: compare realpath and identity instead.
      real = await realpath(full);
      const again = await lstat(real);
      if (again.ino !== st.ino || again.dev !== st.dev) throw new PaddockError('E_FOLDER', `${rel} changed while it was being read`);
    }
    // Threat: a directory of the copy swapped for a symlink to reach files outside it.
    if (!real.startsWith(root + path.sep)) throw new PaddockError('E_FOLDER', `${rel} leads outside the folder: refused`);
    return fh;
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Reads `fh` to its end in chunks, handing each to `sink`. */
async function copyChunks(fh: FileHandle, sink: (b: Buffer) => unknown): Promise<void> {
  const buf = Buffer.allocUnsafe(1 << 16);
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    if (bytesRead === 0) return;
    await sink(buf.subarray(0, bytesRead));
  }
}

async function hashFile(root: string, rel: string): Promise<string> {
  const fh = await openInside(root, rel);
  const h = createHash('sha256');
  try {
    await copyChunks(fh, (b) => {
      h.update(b);
    });
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

async function readSmall(root: string, rel: string): Promise<Buffer> {
  const fh = await openInside(root, rel);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

function isBinary(b: Buffer): boolean {
  return b.subarray(0, 8192).includes(0);
}

async function textDiff(copy: string, original: string, rel: string, inOriginal: boolean, size: number): Promise<{ diff: string | null; note: string | null }> {
  if (size > MAX_DIFF_BYTES) return { diff: null, note: 'too large to show a diff' };
  const after = await readSmall(copy, rel);
  const before = inOriginal ? await readSmall(original, rel).catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
  if (isBinary(after) || isBinary(before)) return { diff: null, note: 'binary file' };
  const d = unifiedDiff(rel, before.toString('utf8'), after.toString('utf8'));
  return d === null ? { diff: null, note: 'too many changed lines to show a diff' } : { diff: d, note: null };
}

/** The copy folder itself must be a real directory (threat: the agent replacing its copy with a link to /). */
async function realCopyRoot(copy: string): Promise<string | null> {
  const st = await lstat(copy).catch(() => null);
  if (!st) return null;
  if (!st.isDirectory()) throw new PaddockError('E_FOLDER', `${copy} is not a folder any more (the agent replaced it); nothing can be exported from it`);
  return realpath(copy);
}

const octal = (m: number): string => (m & 0o777).toString(8).padStart(4, '0');

/** A copy's permission change the export will not carry over (null when none shows): execute bits added. */
function modeChange(copyMode: number, hostMode: number | null): string | null {
  const before = hostMode ?? 0;
  if ((copyMode & 0o111 & ~before) === 0) return null;
  return hostMode === null ? `executable in the copy (${octal(copyMode)})` : `made executable in the copy (${octal(hostMode)} → ${octal(copyMode)})`;
}

/** Compares the agent's copy with the original host folder. Never follows a link in the copy. */
export async function diffFolder(copyPath: string, originalPath: string): Promise<FolderDiff> {
  const original = await realpath(originalPath).catch(() => {
    throw new PaddockError('E_FOLDER', `the original folder ${originalPath} does not exist any more; recreate it to export into it`);
  });
  const copy = await realCopyRoot(copyPath);
  if (!copy) return { original, copy: copyPath, copied: false, files: [], truncated: false };
  const [c, o] = await Promise.all([walk(copy), walk(original)]);
  const files: FolderFileChange[] = [];
  for (const [rel, e] of c.entries) {
    if (e.kind === 'dir') continue;
    const was = o.entries.get(rel);
    const status = was ? 'changed' : 'added';
    const base = { path: rel, status, size: e.size } as const;
    if (e.kind === 'symlink') {
      if (was?.kind === 'symlink' && (await readlink(path.join(original, rel)).catch(() => null)) === (await readlink(path.join(copy, rel)).catch(() => ''))) continue;
      const to = await readlink(path.join(copy, rel)).catch(() => '?');
      files.push({ ...base, type: 'symlink', exportable: false, note: `symbolic link to ${to}: never exported (it could point anywhere on your computer)`, diff: null });
      continue;
    }
    if (e.kind === 'other') {
      files.push({ ...base, type: 'other', exportable: false, note: 'not a regular file: never exported', diff: null });
      continue;
    }
    if (was && was.kind !== 'file') {
      files.push({ ...base, type: 'file', exportable: false, note: `the original is a ${was.kind === 'dir' ? 'folder' : was.kind}: not replaced by an export`, diff: null });
      continue;
    }
    const modeNote = modeChange(e.mode, was?.mode ?? null);
    if (was && was.size === e.size && (await hashFile(copy, rel).catch(() => 'x')) === (await hashFile(original, rel).catch(() => 'y'))) {
      if (modeNote) files.push({ ...base, type: 'file', exportable: false, note: `mode change (not exported): ${modeNote}`, diff: null });
      continue;
    }
    const shown = await textDiff(copy, original, rel, !!was, e.size).catch((err: Error) => ({ diff: null, note: err.message }));
    const note = [shown.note, modeNote && `${modeNote}; the export does not make it executable`].filter(Boolean).join('; ') || null;
    files.push({ ...base, type: 'file', exportable: true, diff: shown.diff, note });
  }
  for (const [rel, e] of o.entries) {
    if (e.kind === 'dir' || c.entries.has(rel)) continue;
    // A whole removed folder shows as its files; export never deletes host files.
    files.push({ path: rel, status: 'removed', type: e.kind, size: e.size, exportable: false, note: 'deleted in the copy; an export never deletes your files', diff: null });
  }
  files.sort((x, y) => x.path.localeCompare(y.path));
  return { original, copy, copied: true, files, truncated: c.truncated || o.truncated };
}

/** Makes the parent folders of `rel` under `root`, refusing any that is a link or not a folder. */
async function hostParent(root: string, rel: string): Promise<string> {
  let dir = root;
  for (const seg of rel.split('/').slice(0, -1)) {
    dir = path.join(dir, seg);
    const st = await lstat(dir).catch(() => null);
    if (!st) await mkdir(dir, { mode: 0o755 });
    // Threat: a link in the host folder redirecting the write elsewhere.
    else if (!st.isDirectory()) throw new Error(`${path.relative(root, dir)} in your folder is not a plain folder (a link or a file)`);
  }
  return dir;
}

async function exportOne(copy: string, original: string, rel: string): Promise<void> {
  const parent = await hostParent(original, rel);
  const target = path.join(parent, path.basename(rel));
  const cur = await lstat(target).catch(() => null);
  if (cur && !cur.isFile()) throw new Error('the file in your folder is a link or not a regular file: not overwritten');
  const src = await openInside(copy, rel);
  const tmp = path.join(parent, `.paddock-export-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    // Threat: the agent turning a reviewed text file into a program (`chmod 755`) that the export
    // would make executable on the host: a file keeps the host's mode; a new one gets no exec bits.
    const mode = cur ? cur.mode & 0o777 : (await src.stat()).mode & 0o644;
    const dst = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    try {
      if (cur) await dst.chmod(mode); // exactly the host file's mode, whatever the umask
      await copyChunks(src, (b) => dst.writeFile(b));
      await dst.sync();
    } finally {
      await dst.close();
    }
    // rename replaces whatever is at `target` (even a link put there meanwhile) without following it.
    await rename(tmp, target);
  } finally {
    await src.close();
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

/**
 * Copies reviewed files from the agent's copy back to the original folder: `files` (relative
 * paths from `diffFolder`), or every exportable change when omitted. Only regular files that the
 * diff lists as exportable are written; everything else is reported in `skipped`.
 */
export async function exportFolder(copyPath: string, originalPath: string, files?: readonly string[]): Promise<ExportResult> {
  const d = await diffFolder(copyPath, originalPath);
  if (!d.copied) throw new PaddockError('E_FOLDER', `there is no copy of ${originalPath} yet: start the agent once, then export`);
  const byPath = new Map(d.files.map((f) => [f.path, f]));
  const wanted = files ?? d.files.filter((f) => f.exportable).map((f) => f.path);
  const out: ExportResult = { written: [], skipped: [] };
  for (const rel of wanted) {
    const f = byPath.get(rel);
    if (!isCleanRelative(rel)) out.skipped.push({ path: rel, reason: 'not a path inside the folder' });
    else if (!f) out.skipped.push({ path: rel, reason: 'unchanged or not in the copy' });
    else if (!f.exportable) out.skipped.push({ path: rel, reason: f.note ?? 'not exportable' });
    else {
      try {
        await exportOne(d.copy, d.original, rel);
        out.written.push(path.join(d.original, rel));
      } catch (e) {
        out.skipped.push({ path: rel, reason: (e as Error).message });
      }
    }
  }
  return out;
}
