/**
 * The user's `PATH` as the sandbox plan protects it: the folders on it and the links on the way to
 * them. Threat: a program planted where the user's shell finds programs runs unsandboxed the next
 * time the user types its name (see `planRuleMasks`).
 */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * The PATH entries the guard covers: absolute ones only (a relative one names a different folder in
 * every current directory), and not `node_modules/.bin`, which `npm run` (yarn, pnpm) puts on PATH
 * for the project's own scripts: the agent writes that project's code anyway, and a read-only .bin
 * would break its `npm install`.
 */
const guardedEntries = (pathVar: string): string[] => pathVar.split(':').filter((d) => path.isAbsolute(d) && !/(^|\/)node_modules\/\.bin\/?$/.test(d));

/**
 * The real paths of the existing directories on a `PATH` (absolute entries only: a relative one
 * names a different folder in every current directory).
 */
export function userPathDirs(pathVar: string): Set<string> {
  const out = new Set<string>();
  for (const d of guardedEntries(pathVar)) {
    try {
      out.add(realpathSync.native(d)); // sync: a few entries, once per start
    } catch {
      // absent: see userPathAbsent
    }
  }
  return out;
}

/**
 * The PATH folders that do not exist (yet), each as the real path of its deepest existing parent
 * joined with the rest (`~/go/bin` while `~/go` exists: `/home/u/go/bin`). Threat: an agent that can
 * write that parent makes the folder and fills it; the user's next command finds its program there.
 * An entry whose missing part holds `.` or `..` is left out (the kernel resolves `..` after links,
 * which this cannot know before the folder exists).
 */
export function userPathAbsent(pathVar: string): Set<string> {
  const out = new Set<string>();
  for (const d of guardedEntries(pathVar)) {
    if (existsSync(d)) continue;
    const rest: string[] = [];
    let cur = d.replace(/\/+$/, '') || '/';
    while (cur !== '/' && !existsSync(cur)) {
      rest.unshift(path.basename(cur));
      cur = path.dirname(cur);
    }
    if (rest.length === 0 || rest.some((x) => x === '.' || x === '..' || x === '')) continue;
    try {
      out.add(path.join(realpathSync.native(cur), ...rest));
    } catch {
      // unreadable parent: the agent cannot write there through a grant either
    }
  }
  return out;
}

/**
 * The symbolic links on the way to the user's `PATH` folders (`~/.sdkman/candidates/java/current`
 * of `…/current/bin`), each as its folder's real path and its name: the agent could point one that
 * lies in a folder it can write at a folder of its own (attack pass H).
 */
export function userPathLinks(pathVar: string): Set<string> {
  const out = new Set<string>();
  for (const d of guardedEntries(pathVar)) {
    let cur = '/';
    for (const part of d.split('/').filter((x) => x !== '' && x !== '.')) {
      try {
        const next = path.join(realpathSync.native(cur), part);
        if (part !== '..' && lstatSync(next).isSymbolicLink()) out.add(next);
        cur = next;
      } catch {
        break; // absent: nothing to protect (see docs/SECURITY.md)
      }
    }
  }
  return out;
}

/**
 * Makes the absent PATH folder `dir` below `root` (a folder the agent can write), one component at
 * a time, never through a link (one planted on the way makes it fail). True when `dir` is then a
 * real folder, to be covered read-only like an existing one.
 */
export async function makePathFolder(root: string, dir: string): Promise<boolean> {
  let cur = root;
  for (const part of path.relative(root, dir).split('/')) {
    cur = path.join(cur, part);
    await mkdir(cur, { mode: 0o755 }).catch(() => undefined); // EEXIST: checked below
    const st = await lstat(cur).catch(() => null);
    if (!st || st.isSymbolicLink() || !st.isDirectory()) return false;
  }
  return true;
}
