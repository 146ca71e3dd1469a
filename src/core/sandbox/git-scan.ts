import { lstatSync, readdirSync, readFileSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { programKeys, readGitConfig } from './git-config-keys.js';
import { isWithin } from './layout.js';

/** What a control file was: inode, ctime, size and mode. Any write, rename or chmod changes it (ctime cannot be set). */
export type Fingerprint = string;

/** Every git control file found in the trees, by path. */
export type GitSnapshot = Map<string, Fingerprint>;

/** A git dir the user's git would use, and the `.git` entry that leads to it (null: found as a bare repository). */
export interface FoundGitDir {
  gitDir: string;
  entry: string | null;
}

/** The result of one walk of the writable trees. */
export interface GitScan {
  files: GitSnapshot;
  dirs: FoundGitDir[];
  /** Folders walked (the run watches them). */
  folders: string[];
  /** False when the entry budget ran out before the walk ended. */
  complete: boolean;
}

/** Git dir subfolders not walked: large, and git never finds a repository inside them from a working directory. */
const SKIP_IN_GIT_DIR = new Set(['objects', 'logs', 'lfs']);

/** lstat, or null for any error (ENOTDIR too: a `gitdir:` through a file must not end the scan). */
function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

export function fingerprint(p: string): Fingerprint | null {
  const st = lstatOrNull(p);
  return st ? `${st.ino}:${st.ctimeMs}:${st.size}:${st.mode}` : null;
}

function readSmall(p: string): Buffer | null {
  try {
    const st = statSync(p);
    return st.isFile() && st.size <= 1 << 20 ? readFileSync(p) : null;
  } catch {
    return null;
  }
}

/**
 * A path in a `.git` file or `commondir` exactly as git reads it (setup.c): up to a NUL, with
 * trailing CR/LF removed and nothing else. Threat: trimming spaces too would check `x` while git
 * opens `x  `, a git dir the agent made elsewhere.
 */
export function gitPointer(content: Buffer | null): string | null {
  if (!content) return null;
  let end = content.length;
  while (end > 0 && (content[end - 1] === 0x0a || content[end - 1] === 0x0d)) end--;
  const nul = content.indexOf(0);
  if (nul >= 0 && nul < end) end = nul;
  try {
    // A path that is not UTF-8 cannot be followed faithfully here: the caller treats it as unknown.
    return new TextDecoder('utf-8', { fatal: true }).decode(content.subarray(0, end));
  } catch {
    return null;
  }
}

/** Git's own test for a git dir (`is_git_directory`): HEAD, and objects + refs or a commondir. */
export function looksLikeGitDir(names: ReadonlySet<string>): boolean {
  return names.has('HEAD') && (names.has('commondir') || (names.has('objects') && names.has('refs')));
}

/** The git dir a `.git` entry leads to: itself (folder), its `gitdir:` line (file), or through a link. */
export function gitDirOfEntry(entry: string): string | null {
  let st: Stats;
  try {
    st = statSync(entry); // through a link: git follows it too
  } catch {
    return null;
  }
  if (st.isDirectory()) return entry;
  const text = gitPointer(readSmall(entry));
  return text?.startsWith('gitdir: ') && text.length > 8 ? path.resolve(path.dirname(entry), text.slice(8)) : null;
}

/** The files of a git dir that git reads as settings or runs as hooks (through `commondir` too). */
export function controlFiles(gitDir: string): string[] {
  const out: string[] = [];
  const add = (dir: string): void => {
    out.push(path.join(dir, 'config'), path.join(dir, 'hooks'));
    try {
      if (!lstatOrNull(path.join(dir, 'hooks'))?.isDirectory()) return;
      for (const n of readdirSync(path.join(dir, 'hooks'))) out.push(path.join(dir, 'hooks', n));
    } catch {
      // no hooks folder
    }
  };
  add(gitDir);
  out.push(path.join(gitDir, 'config.worktree'), path.join(gitDir, 'commondir'));
  const common = gitPointer(readSmall(path.join(gitDir, 'commondir')));
  if (common) add(path.resolve(gitDir, common));
  return out;
}

/**
 * Walks the trees (never following links) and lists every git dir the user's git could use there
 * — `.git` folders, `.git` files and links with what they point to, folders git opens as bare
 * repositories — with the fingerprints of their control files and of the `.git` entries.
 */
export async function scanGitTrees(roots: readonly string[], budget: { left: number }): Promise<GitScan> {
  const files: GitSnapshot = new Map();
  const dirs: FoundGitDir[] = [];
  const folders: string[] = [];
  const seen = new Set<string>();
  let complete = true;
  let walked = 0;
  const record = (p: string): void => {
    const f = fingerprint(p);
    if (f) files.set(p, f);
  };
  const found = (gitDir: string, entry: string | null): void => {
    const key = `${gitDir}\0${entry ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    dirs.push({ gitDir, entry });
    if (entry) record(entry);
    for (const f of controlFiles(gitDir)) record(f);
  };
  for (const root of roots) {
    const stack = [root];
    while (stack.length > 0) {
      const dir = stack.pop() as string;
      let list: Dirent[];
      try {
        list = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue; // unreadable for Paddock (and so for the agent)
      }
      folders.push(dir);
      budget.left -= list.length;
      if (budget.left < 0) {
        complete = false;
        return { files, dirs, folders, complete };
      }
      const names = new Set(list.map((d) => d.name));
      const isGitDir = looksLikeGitDir(names);
      if (names.has('.git')) {
        const entry = path.join(dir, '.git');
        const g = gitDirOfEntry(entry);
        // A dangling link or a `.git` file Paddock cannot follow is still a finding: what it points
        // to may be made later, out of the trees, or read differently by git.
        found(g ?? entry, entry);
      }
      if (isGitDir) found(dir, null);
      for (const d of list) {
        if (d.isDirectory() && !(isGitDir && SKIP_IN_GIT_DIR.has(d.name))) stack.push(path.join(dir, d.name));
      }
      // Synchronous per folder (fast), yielding now and then: the host serves other agents meanwhile.
      if (++walked % 64 === 0) await new Promise((r) => setImmediate(r));
    }
  }
  return { files, dirs, folders, complete };
}

/** A planted git dir: what makes it run a program, and what to move away so git no longer uses it. */
export interface GitPlant {
  gitDir: string;
  /** Why: the program-running keys or files. */
  reasons: string[];
  /** Paths to quarantine (all inside the trees). */
  neutralise: string[];
}

/** Why a changed control file can run a program (empty: it cannot). */
async function dangerOf(p: string, cache: Map<string, string[]>): Promise<string[]> {
  const st = lstatOrNull(p);
  if (!st) return [];
  const base = path.basename(p);
  const inHooks = path.basename(path.dirname(p)) === 'hooks';
  if (st.isSymbolicLink()) return [`${base} is a symbolic link`];
  if (inHooks && !st.isDirectory()) return st.isFile() && (st.mode & 0o111) !== 0 && !base.endsWith('.sample') ? [`hook ${base}`] : [];
  if (base === 'config' || base === 'config.worktree') {
    const key = `${p}\0${fingerprint(p)}`;
    let why = cache.get(key);
    if (!why) {
      const entries = st.isFile() ? await readGitConfig(p) : null;
      why = entries ? programKeys(entries) : [`${base} that git cannot read`];
      cache.set(key, why);
    }
    return why;
  }
  return [];
}

/**
 * The git dirs whose control files changed since `before` (or are new) and can now run a program:
 * a setting outside the safe list, an executable hook, a link. What to move away: a `.git` entry
 * that is itself new or changed (the whole planted repository), else each planted file that lies
 * in the trees (a pre-existing repository keeps everything else).
 */
export async function findPlants(
  scan: GitScan,
  before: GitSnapshot,
  roots: readonly string[],
  opts: { agentWritable: readonly string[]; cache?: Map<string, string[]> },
): Promise<GitPlant[]> {
  const cache = opts.cache ?? new Map<string, string[]>();
  const inTrees = (p: string): boolean => roots.some((r) => p !== r && isWithin(p, r));
  // Only what the agent could write counts as planted: a change elsewhere (the user's own repository
  // that a linked worktree or a submodule points to) is the user's.
  const changed = (p: string): boolean => {
    if (!opts.agentWritable.some((r) => isWithin(p, r))) return false;
    const now = scan.files.get(p) ?? fingerprint(p);
    return now !== null && now !== before.get(p);
  };
  const out: GitPlant[] = [];
  const cut: string[] = [];
  // `.git` entries first: a whole planted repository moved away covers what lies inside it.
  const dirs = [...scan.dirs].sort((a, b) => Number(a.entry === null) - Number(b.entry === null));
  for (const { gitDir, entry } of dirs) {
    if (cut.some((c) => isWithin(gitDir, c))) continue;
    const reasons: string[] = [];
    const planted: string[] = [];
    for (const f of controlFiles(gitDir)) {
      if (!changed(f)) continue;
      const why = await dangerOf(f, cache);
      if (why.length) {
        reasons.push(...why.map((w) => `${path.relative(gitDir, f) || f}: ${w}`));
        planted.push(f);
      }
    }
    const entrySt = entry !== null && changed(entry) ? lstatOrNull(entry) : undefined;
    if (entrySt?.isSymbolicLink()) reasons.push('.git is a symbolic link');
    else if (entrySt?.isFile() && entrySt.size > 0 && gitDirOfEntry(entry as string) === null) reasons.push('a .git file Paddock cannot follow');
    if (!reasons.length) continue;
    let neutralise: string[];
    if (entry !== null && changed(entry) && inTrees(entry)) neutralise = [entry];
    else {
      neutralise = planted.filter(inTrees);
      const common = path.join(gitDir, 'commondir');
      // A planted file outside the trees (reached through a new commondir, or an older `.git` file or
      // link leading out of them): cut the pointer instead.
      if (planted.some((f) => !inTrees(f))) {
        if (changed(common) && inTrees(common)) neutralise.push(common);
        else if (entry !== null && inTrees(entry)) neutralise.push(entry);
      }
    }
    neutralise = neutralise.filter((p) => !cut.some((c) => isWithin(p, c)));
    // The same git dir found again (as a bare repository, or through a second entry) with nothing new to move.
    if (!neutralise.length && out.some((o) => o.gitDir === gitDir)) continue;
    cut.push(...neutralise);
    out.push({ gitDir, reasons: [...new Set(reasons)], neutralise });
  }
  return out;
}

/** The git dirs one folder leads to without walking below it (for a change seen during the run). */
export function shallowScan(dir: string): GitScan {
  const scan: GitScan = { files: new Map(), dirs: [], folders: [], complete: true };
  let names: Set<string>;
  try {
    names = new Set(readdirSync(dir));
  } catch {
    return scan;
  }
  if (names.has('.git')) {
    const entry = path.join(dir, '.git');
    const g = gitDirOfEntry(entry);
    if (g) scan.dirs.push({ gitDir: g, entry });
  }
  if (looksLikeGitDir(names)) scan.dirs.push({ gitDir: dir, entry: null });
  if (path.basename(dir) === 'hooks') scan.dirs.push({ gitDir: path.dirname(dir), entry: null });
  return scan;
}
