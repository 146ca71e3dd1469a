/**
 * The user's `PATH` as the sandbox plan protects it: the folders on it and the links on the way to
 * them. Threat: a program planted where the user's shell finds programs runs unsandboxed the next
 * time the user types its name (see `planRuleMasks`).
 */
import { lstatSync, realpathSync } from 'node:fs';
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
      // absent: nothing to protect (see docs/SECURITY.md)
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
