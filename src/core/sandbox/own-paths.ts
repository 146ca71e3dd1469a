/**
 * Paddock's own paths a sandbox must not expose: every data dir the host knows of (hidden) and
 * Paddock's own code (read-only). Attack pass D: a grant holding another data dir handed the
 * agent its database and control socket; one holding Paddock's install let it rewrite the code
 * the user runs next, unsandboxed.
 */
import { lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import { holdsDataDir, listedDataDirs, resolveDataDir } from '../data-dir/index.js';
import { realpathLoose } from './grants.js';
import { isWithin } from './layout.js';

/**
 * The data dirs to keep from agents besides `running`, as real paths of the ones that exist:
 * `given` (a list of data dirs), or, given the homes to look in, the ones this host knows of: the
 * platform's default (with and without `$XDG_CONFIG_HOME`) and `$PADDOCK_HOME`, read from the
 * host's own environment (never the agent's), and every data dir this user's Paddock has prepared
 * (`listedDataDirs`: another host's `--data-dir`).
 */
export async function otherDataDirs(running: string, given: { homes: string[] } | string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  return (await knownDataDirs(running, given, env, true)).filter((d) => statSync(d, { throwIfNoEntry: false })?.isDirectory());
}

/** {@link otherDataDirs} that do not exist yet (real paths of their existing parents). */
export async function missingDataDirs(running: string, given: { homes: string[] } | string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  return (await knownDataDirs(running, given, env)).filter((d) => !lstatSync(d, { throwIfNoEntry: false }));
}

async function knownDataDirs(running: string, given: { homes: string[] } | string[], env: NodeJS.ProcessEnv, listed = false): Promise<string[]> {
  const dirs: string[] = Array.isArray(given) ? [...given] : [];
  for (const home of Array.isArray(given) ? [] : given.homes) {
    // Threat: another host's data dir (any --data-dir this user has used) inside a grant.
    // (Only those that still hold a data dir: a folder the user emptied of one is theirs again.)
    if (listed) dirs.push(...listedDataDirs(home).filter(holdsDataDir));
    dirs.push(resolveDataDir({ env: { ...env, PADDOCK_HOME: undefined }, home }), resolveDataDir({ env: {}, home }));
    if (env.PADDOCK_HOME?.trim()) dirs.push(resolveDataDir({ env: { PADDOCK_HOME: env.PADDOCK_HOME }, home }));
  }
  const out = new Set<string>();
  for (const d of dirs) {
    const real = await realpathLoose(d);
    if (real !== running) out.add(real);
  }
  return [...out];
}

/**
 * Paddock's code under its package folder: what the CLI, the app and the native helpers run from.
 * Threat (attack pass E): `.native/` holds the Electron-ABI `better_sqlite3.node` that `npm start`
 * loads into the app's main process, unsandboxed: a planted one there is native code of the agent's.
 */
export const CODE_PARTS: readonly string[] = ['bin', 'dist', 'out', 'node_modules', path.join('native', 'bin'), '.native', 'package.json'];

/** The paths of Paddock's code under its package folder `root` (see {@link codeCovers}). */
export async function codeParts(root: string): Promise<{ p: string; dir: boolean }[]> {
  const real = await realpathLoose(root);
  // A packaged app: the package is resources/app(.asar) beside the app binary; the install is all code.
  if (/^app(\.asar)?$/.test(path.basename(real)) && /^resources$/i.test(path.basename(path.dirname(real)))) return [{ p: path.dirname(path.dirname(real)), dir: true }];
  return CODE_PARTS.map((c) => ({ p: path.join(real, c), dir: c !== 'package.json' }));
}

/**
 * The real paths of Paddock's own code that an agent could change through the folders it can
 * write (`writable`, real paths), to be bound read-only over them. A packaged app (its package
 * `resources/app` or `resources/app.asar`) is covered whole: the install folder holding
 * the app binary and `resources/`. In a checkout only the parts in {@link CODE_PARTS} are: the
 * sources stay writable when the user makes the checkout a workspace (what they build they
 * review; what runs as is must not change). A missing folder part the agent could create is
 * created empty first (else an agent could plant `native/bin/paddock-launch`); a part that is a
 * symbolic link the agent could replace refuses the start.
 */
export async function codeCovers(root: string, writable: readonly string[]): Promise<string[]> {
  const parts = await codeParts(root);
  const canWrite = (p: string): boolean => writable.some((w) => isWithin(p, w));
  const covers: string[] = [];
  for (const { p, dir } of parts) {
    const entryWritable = canWrite(await realpathLoose(path.dirname(p)));
    let st = lstatSync(p, { throwIfNoEntry: false });
    if (st?.isSymbolicLink() && entryWritable) {
      // Threat: a link can be neither bound over nor pinned; the agent would swap it for its own code.
      throw new PaddockError(
        'E_FOLDER',
        `Paddock's own ${p} is a symbolic link in a folder this agent can write: it could replace the link with code Paddock runs unsandboxed. Put the folder itself there, or grant a folder that does not contain Paddock (${root}).`,
      );
    }
    if (!st && dir && entryWritable) {
      // Threat: a planted part (a helper in native/bin, a bundle in dist) run by the user's next command.
      mkdirSync(p, { recursive: true });
      st = lstatSync(p, { throwIfNoEntry: false });
    }
    if (!st) continue;
    let target: string;
    try {
      target = realpathSync.native(p);
    } catch {
      continue; // a dangling link the agent cannot replace: nothing there to write
    }
    if (canWrite(target) || writable.some((w) => isWithin(w, target))) covers.push(target);
  }
  return [...new Set(covers)];
}

/** The homes whose default data dirs count: the user's (as Paddock was told) and this process's. */
export function dataDirHomes(userHome: string | undefined): { homes: string[] } {
  return { homes: [...new Set([userHome ?? os.homedir(), os.homedir()])] };
}

/** Paddock's code as paths, given and real (null: none), for a profile that denies writes by path. */
export async function codePaths(root: string | null): Promise<string[]> {
  const parts = root ? (await codeParts(root)).map((c) => c.p) : [];
  return [...new Set([...parts, ...(await Promise.all(parts.map((p) => realpathLoose(p))))])];
}

/**
 * The data dirs to hide (a tmpfs over each): those that exist and that a bound folder contains.
 * The running one's own agent folders inside stay visible: they are bound deeper, after it.
 */
export function dataDirsToHide(dirs: readonly string[], bindDests: readonly string[]): string[] {
  return [...new Set(dirs)].filter((d) => bindDests.some((b) => b !== d && isWithin(d, b)) && statSync(d, { throwIfNoEntry: false })?.isDirectory() === true);
}

/**
 * The folders to pin (bind onto themselves: a mount point cannot be renamed) so that an agent
 * cannot move one of `targets` (Paddock's code, a hidden data dir) away with a parent folder and
 * put its own in its place: every folder between a target and the innermost bound folder that
 * holds it, when that one is writable (`bound`: the binds made before, in order).
 */
export function parentPins(targets: readonly string[], bound: readonly { dest: string; rw: boolean }[]): string[] {
  const pins = new Set<string>();
  for (const t of targets) {
    let inner: { dest: string; rw: boolean } | undefined;
    for (const b of bound) if (b.dest !== t && isWithin(t, b.dest) && (!inner || isWithin(b.dest, inner.dest))) inner = b;
    if (!inner?.rw) continue;
    for (let d = path.dirname(t); d !== inner.dest && isWithin(d, inner.dest); d = path.dirname(d)) pins.add(d);
  }
  return [...pins];
}
