import { lstatSync, mkdirSync, realpathSync, statSync, type MakeDirectoryOptions } from 'node:fs';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import type { Rule } from '../../shared/rules.schema.js';
import { expandHome, hasGlob, literalRoot } from './glob.js';
import { isWithin } from './layout.js';
import { resolveTrusted, type LinkTrust } from './links.js';
import type { SandboxSpec } from './spec.js';

/** A host path bound into the sandbox at its real path. */
export interface Grant {
  path: string;
  access: 'ro' | 'rw';
  isDir: boolean;
  /** Where it came from, for messages: `folder ~/x`, `rule allow read /y`. */
  source: string;
}

/** The real data dir / user home that grants are checked against. */
export interface GrantContext {
  dataDir: string;
  /** The other data dirs the host knows of (real paths): never granted either. */
  otherDataDirs?: readonly string[];
  userHome: string;
  agent: string;
  /** Who else could have written the folders on the way (symbolic links there are refused). */
  trust: LinkTrust;
}

// Synchronous on purpose: a few local metadata calls on the launch path, where each thread-pool
// round trip of the promise API costs more than the call itself (issue 3's start-time goal).
const realpath = async (p: string): Promise<string> => realpathSync.native(p);
const stat = async (p: string) => statSync(p);
const lstat = async (p: string) => lstatSync(p);
const mkdir = async (p: string, o: MakeDirectoryOptions): Promise<void> => void mkdirSync(p, o);

/** Kernel and daemon interfaces: binding them would hand the agent devices, D-Bus or other sockets. */
const FORBIDDEN_ROOTS = ['/proc', '/sys', '/dev', '/run', '/var/run'];

/** realpath of the longest existing prefix, plus the rest: for paths that may not exist yet. */
export async function realpathLoose(p: string): Promise<string> {
  const abs = path.resolve(p);
  try {
    return await realpath(abs);
  } catch {
    const parent = path.dirname(abs);
    if (parent === abs) return abs;
    return path.join(await realpathLoose(parent), path.basename(abs));
  }
}

/** Resolve and check a granted folder; throws E_FOLDER saying which folder and why. */
export async function resolveFolder(
  given: string,
  ctx: GrantContext,
  source: string,
): Promise<{ path: string; isDir: boolean }> {
  const fail = (why: string): never => {
    throw new PaddockError('E_FOLDER', `Cannot grant ${source} (${given}): ${why}`);
  };
  if (!path.isAbsolute(given)) fail('the path must be absolute; use ~/… or a full path.');
  // Threat: a symlink planted on the way by an agent or another user (resolveTrusted refuses it);
  // a link the user made is followed, and what it resolves to is bound.
  const { real, exists } = resolveTrusted(given, source, ctx.trust);
  if (!exists) return fail('it does not exist. Create it or remove it from the profile.');
  const st = await stat(real);
  if (!st.isDirectory() && !st.isFile()) fail('it is neither a folder nor a regular file.');
  // Threat: the agent reaching Paddock's database, control socket or other agents.
  if (isWithin(real, ctx.dataDir)) fail(`it lies inside Paddock's data dir (${ctx.dataDir}), which agents may never see.`);
  // Threat: another Paddock data dir (the default, $PADDOCK_HOME): its database, sockets, agents.
  const other = ctx.otherDataDirs?.find((d) => isWithin(real, d));
  if (other !== undefined) fail(`it lies inside another Paddock data dir (${other}), which agents may never see.`);
  // Threat: granting the whole home (or an ancestor) exposes ~/.ssh, keychains and dotfiles.
  if (isWithin(ctx.userHome, real)) fail('it is your home folder or contains it; grant a subfolder instead.');
  for (const root of FORBIDDEN_ROOTS) {
    if (isWithin(real, root)) fail(`${root} holds devices, kernel interfaces or sockets and cannot be granted.`);
  }
  return { path: real, isDir: st.isDirectory() };
}

/**
 * Create (0700) and resolve the agent's home or workspace. It may live in the data dir only
 * under `<data-dir>/agents/<agent>/` (threat: a crafted profile pointing at another agent or the db).
 */
export async function resolveAgentDir(given: string, ctx: GrantContext, what: 'home' | 'workspace'): Promise<string> {
  const fail = (why: string): never => {
    throw new PaddockError('E_FOLDER', `Cannot use ${given} as the agent's ${what}: ${why}`);
  };
  if (!path.isAbsolute(given)) fail('the path must be absolute.');
  // Threat: a link planted on the way redirecting the home or workspace (and its creation) elsewhere.
  const pre = resolveTrusted(given, `the agent's ${what}`, ctx.trust).real;
  if (isWithin(ctx.userHome, pre)) fail('it is your home folder or contains it; use a dedicated folder.');
  for (const root of FORBIDDEN_ROOTS) if (isWithin(pre, root)) fail(`it lies under ${root}.`);
  // Threat: a home or workspace inside another Paddock data dir (another agent's home, its database).
  const other = ctx.otherDataDirs?.find((d) => isWithin(pre, d) && !isWithin(pre, ctx.dataDir));
  if (other !== undefined) fail(`it lies inside another Paddock data dir (${other}); use a folder outside it.`);
  await mkdir(pre, { recursive: true, mode: 0o700 });
  // Checked again, not realpath'd: a link planted where the folder was missing (mkdir -p accepts a
  // link to a folder) is refused, not followed. The plan then pins what this returns.
  const real = resolveTrusted(pre, `the agent's ${what}`, ctx.trust).real;
  const st = await lstat(real);
  if (!st.isDirectory()) fail('it is not a folder.');
  const own = path.join(ctx.dataDir, 'agents', ctx.agent);
  if (isWithin(real, ctx.dataDir) && !(real !== own && isWithin(real, own))) {
    fail(`inside the data dir only ${own}/… may be used.`);
  }
  if (isWithin(ctx.userHome, real)) fail('it is your home folder or contains it; use a dedicated folder.');
  return real;
}

/**
 * Merge grants of the same real path: when one says ro and another rw, ro wins (the safer
 * reading; the plan warns).
 */
export function mergeGrants(grants: Grant[], warnings: string[]): Grant[] {
  const byPath = new Map<string, Grant>();
  for (const g of grants) {
    const prev = byPath.get(g.path);
    if (!prev) byPath.set(g.path, g);
    else if (prev.access !== g.access) {
      warnings.push(`${g.path} is granted both ro and rw (${prev.source}; ${g.source}): it is read-only.`);
      byPath.set(g.path, { ...prev, access: 'ro' });
    }
  }
  return [...byPath.values()];
}

/** The `allow read|write PATH` rules that grant a host path (a glob grants nothing; the agent's home is its own). */
export function pathGrantRules(spec: SandboxSpec, home: string): Array<{ rule: Rule; path: string }> {
  return spec.rules
    .filter((r) => r.effect === 'allow' && (r.kind === 'read' || r.kind === 'write'))
    .map((r) => ({ rule: r, path: expandHome(r.pattern, home) }))
    .filter((g) => !hasGlob(g.path) && !isWithin(path.resolve(g.path), home));
}

/** Grants from `allow read|write PATH` rules (globs grant nothing; they only lift defaults). */
export async function ruleGrants(spec: SandboxSpec, home: string, ctx: GrantContext, warnings: string[]): Promise<Grant[]> {
  for (const r of spec.rules) {
    if (r.effect === 'allow' && r.kind === 'read' && hasGlob(expandHome(r.pattern, home))) warnings.push(`"${r.text}" (line ${r.line}) grants nothing: name a path, not a glob.`);
  }
  const out: Grant[] = [];
  for (const { rule: r, path: p } of pathGrantRules(spec, home)) {
    const g = await resolveFolder(p, ctx, `rule "${r.text}" (line ${r.line})`);
    out.push({ ...g, access: r.kind === 'write' ? 'rw' : 'ro', source: `rule ${r.text}` });
  }
  return out;
}

/**
 * An `allow write` glob grants no folder: it only lifts protections inside the folders the agent
 * can already write. One whose fixed part lies outside all of them does nothing, which the user is
 * told (they meant write access: name the folder instead).
 */
export function writeGlobNotes(rules: Rule[], home: string, writable: string[], warnings: string[]): void {
  for (const r of rules) {
    if (r.effect !== 'allow' || r.kind !== 'write' || !hasGlob(expandHome(r.pattern, home))) continue;
    const root = literalRoot(r.pattern, home);
    if (root === null || root === '/' || writable.some((w) => isWithin(root, w) || isWithin(w, root))) continue;
    warnings.push(`"${r.text}" (line ${r.line}) grants nothing: a glob only lifts protections inside the workspace and read-write folders. To let the agent write ${root}, name it: allow write ${root}`);
  }
}

/**
 * Drops a read-write grant of a *file* that a read-write folder (the deepest one containing it, or
 * the workspace) already makes writable: its own bind would make the file a mount point, and git,
 * editors and `sed -i` replace a file by renaming over it, which fails on a mount point ("Device or
 * resource busy"). So `allow write REPO/.git/config` lifts the persistence protection of that one
 * repository's config and the config stays writable the way git writes it.
 */
export function dropInnerFileGrants(grants: Grant[], workspace: string): Grant[] {
  const dirs = [{ path: workspace, access: 'rw' as const }, ...grants.filter((g) => g.isDir)];
  return grants.filter((g) => {
    if (g.isDir || g.access !== 'rw') return true;
    const holder = dirs.filter((d) => isWithin(g.path, d.path) && d.path !== g.path).sort((a, b) => b.path.length - a.path.length)[0];
    return holder?.access !== 'rw';
  });
}
