import { lstat, mkdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { Rule } from '../../shared/rules.schema.js';
import { compileGlob, literalRoot } from './glob.js';
import { isWithin, maskOps, type MountOp } from './layout.js';
import { walkTree, type WalkBudget } from './walk.js';
import { absentPathNotes } from './absent-rules.js';
import { systemLinkAliases } from './system.js';
import { isAnyTarget } from '../policy/index.js';
import { makePathFolder } from './user-path.js';
import { versionlessNames } from './exec-mask.js';
import { LOGIN_PATHS } from './login-paths.js';

/** A host tree visible inside at the same path. */
export interface Tree {
  root: string;
  writable: boolean;
  /** The agent's own home: no persistence protection (its home is its own). */
  isHome: boolean;
  /** System directories: only rules anchored under them are applied there. */
  isSystem: boolean;
}

/** Shell start-up files: writing one in a folder the user later uses as $HOME runs code on the host. */
export const RC_FILES = new Set([
  '.bashrc', '.bash_profile', '.profile', '.zshrc', '.zprofile', '.bash_login', '.bash_logout', '.zshenv', '.zlogin',
]);

/** Mount ops produced by the rules, split so the caller can order them after the grants. */
export interface MaskPlan {
  /** rw self-binds that pin protected paths' parents (a mount point cannot be renamed away). */
  pins: MountOp[];
  /** ro binds, empty-file binds and empty tmpfs masks. */
  masks: MountOp[];
  masked: string[];
  readOnly: string[];
  /** Paths that must not appear during the run (git redirects in protected repositories). */
  watchAbsent: string[];
  warnings: string[];
}

type Matcher = { rule: Rule; match: (p: string) => boolean; root: string | null };

const pathRules = (rules: Rule[], kind: Rule['kind'], effects: Rule['effect'][], home: string): Matcher[] =>
  rules
    .filter((r) => r.kind === kind && effects.includes(r.effect))
    .filter((r) => kind !== 'exec' || r.pattern.includes('/') || r.pattern.startsWith('~'))
    .flatMap((r) => [r.pattern, ...systemLinkAliases(r.pattern)].map((p) => ({ rule: r, match: compileGlob(p, home), root: literalRoot(p, home) })));

/** A `copy` folder: `from` (its host source) is copied to `to` (in the workspace). */
export interface CopyAlias {
  from: string;
  to: string;
}

/** The names a path has for the rules: itself, and its source path when it lies in a copy. */
const sourceNames = (copies: CopyAlias[]) => (p: string): string[] => [
  p,
  ...copies.filter((c) => isWithin(p, c.to)).map((c) => path.join(c.from, path.relative(c.to, p))),
];

/**
 * Two-tier precedence (PRODUCT.md): a deny/ask for any target (`*`, `**`) does not mask what a
 * rule naming the path allows. Returns 'mask', 'pass' (nothing matched) or 'descend' (an
 * any-target deny matched a folder under which a named allow may apply: decide its children).
 */
function decide(deny: Matcher[], allow: Matcher[], ps: string[], isDir: boolean): 'mask' | 'pass' | 'descend' {
  const hits = deny.filter((m) => ps.some((p) => m.match(p)));
  if (hits.length === 0) return 'pass';
  if (hits.some((m) => !isAnyTarget(m.rule.pattern))) return 'mask';
  if (allow.some((m) => ps.some((p) => m.match(p)))) return 'pass';
  if (isDir && allow.some((m) => ps.some((p) => m.match(`${p}/x`) || (m.root !== null && isWithin(m.root, p))))) return 'descend';
  return 'mask';
}

/**
 * Whether `deny read` (or `ask read`) rules hide a host path, as the masks would: the copy step
 * leaves such files out of a `copy` folder's copy. 'descend': a folder whose children decide.
 */
export function readDenied(rules: Rule[], home: string): (p: string, isDir: boolean) => 'mask' | 'pass' | 'descend' {
  const deny = pathRules(rules, 'read', ['deny', 'ask'], home);
  const allow = pathRules(rules, 'read', ['allow'], home).filter((m) => !isAnyTarget(m.rule.pattern));
  return (p, isDir) => decide(deny, allow, [p], isDir);
}

/** Start directories to walk in a tree for the given matchers, or [] when nothing can match there. */
function startsFor(tree: Tree, matchers: Matcher[], wholeTree: boolean): string[] {
  if (wholeTree) return [tree.root];
  const starts = new Set<string>();
  for (const m of matchers) {
    if (m.root === null) {
      if (!tree.isSystem) return [tree.root];
      continue; // relative patterns are not applied to system directories (cost; they hold no user data)
    }
    if (isWithin(m.root, tree.root)) starts.add(m.root);
    else if (isWithin(tree.root, m.root)) return [tree.root];
  }
  return [...starts].filter((s) => ![...starts].some((o) => o !== s && isWithin(s, o)));
}

/**
 * Turn `deny read`, `deny write`, path-glob `deny exec` rules and the default persistence
 * protection into mount ops, for files and folders that exist at launch. `ask` is enforced as
 * `deny` here: a file access cannot be paused for an answer (the safer reading).
 */
export async function planRuleMasks(input: {
  trees: Tree[];
  rules: Rule[];
  home: string;
  emptyFile: string;
  budget: WalkBudget;
  /** `copy` folders: a rule naming a path under `from` also applies to the same path under `to`. */
  copies?: CopyAlias[];
  /** The real paths of the user's `PATH` directories (see `userPathDirs` in user-path.ts). */
  pathDirs?: ReadonlySet<string>;
  /** The links on the way to them (see `userPathLinks` in user-path.ts). */
  pathLinks?: ReadonlySet<string>;
  /** The `PATH` folders that do not exist yet (see `userPathAbsent` in user-path.ts). */
  pathAbsent?: ReadonlySet<string>;
  /** The user's own home (real path): its login and SSH files are protected inside writable grants. */
  userHome?: string;
}): Promise<MaskPlan> {
  const { trees, rules, home, emptyFile, budget } = input;
  const names = sourceNames(input.copies ?? []);
  const out: MaskPlan = { pins: [], masks: [], masked: [], readOnly: [], watchAbsent: [], warnings: [] };
  const readDeny = pathRules(rules, 'read', ['deny', 'ask'], home);
  const writeDeny = pathRules(rules, 'write', ['deny', 'ask'], home);
  const execDeny = pathRules(rules, 'exec', ['deny', 'ask'], home);
  const writeAllow = pathRules(rules, 'write', ['allow'], home);
  const readAllow = pathRules(rules, 'read', ['allow'], home).filter((m) => !isAnyTarget(m.rule.pattern));
  const execAllow = pathRules(rules, 'exec', ['allow'], home).filter((m) => !isAnyTarget(m.rule.pattern));
  const writeAllowNamed = writeAllow.filter((m) => !isAnyTarget(m.rule.pattern));
  // Threat: `deny exec ssh` and a copy named ssh (or ssh5, x86_64-linux-gnu-ssh) in a granted folder
  // (`~/tools/bin/ssh`, a vendored binary): only PATH and helper folders were masked (attack pass I).
  // Named rules only: `deny exec *` would mask every file of every grant.
  const execNames = rules
    .filter((r) => r.kind === 'exec' && (r.effect === 'deny' || r.effect === 'ask') && !r.pattern.includes('/') && !r.pattern.startsWith('~') && !isAnyTarget(r.pattern))
    .map((r) => compileGlob(`/${r.pattern}`, '/'));
  const execNameDenied = (abs: string, st: Stats): boolean => {
    if (execNames.length === 0) return false;
    const base = path.basename(abs);
    if (execNames.some((m) => m(`/${base}`))) return true;
    // A versioned name counts only for an executable (`ssh2.conf` is data, not the program).
    return (st.mode & 0o111) !== 0 && versionlessNames(base).some((v) => execNames.some((m) => m(`/${v}`)));
  };
  const denied = (deny: Matcher[], allow: Matcher[], p: string, isDir: boolean): 'mask' | 'pass' | 'descend' => {
    // Threat: `deny read /S/token.txt` with `/S` a copy folder: the copy in the workspace is that file too.
    const ps = names(p);
    return decide(deny, allow, ps, isDir);
  };
  for (const r of rules) {
    if (r.effect === 'ask' && (r.kind === 'read' || r.kind === 'write' || r.kind === 'exec')) {
      out.warnings.push(`"${r.text}" (line ${r.line}) is enforced as deny: file access cannot wait for an answer.`);
    }
  }
  out.warnings.push(...(await absentPathNotes(rules, home, trees)));
  const pinned = new Set<string>();
  const done = new Set<string>();
  const roDirs: string[] = [];

  const mask = (p: string, st: Stats): void => {
    if (done.has(p)) return;
    done.add(p);
    out.masked.push(p);
    out.masks.push(...maskOps(p, st.isDirectory(), emptyFile));
  };
  const readOnly = (p: string, st: Stats): void => {
    if (done.has(p)) return;
    done.add(p);
    out.readOnly.push(p);
    out.masks.push({ op: 'ro-bind', src: p, dest: p });
    if (st.isDirectory()) roDirs.push(p);
  };
  const pin = (tree: Tree, p: string): void => {
    // Threat: `mv repo repo.old && git init repo` swaps a protected .git for the agent's own.
    for (let d = path.dirname(p); d !== tree.root && isWithin(d, tree.root); d = path.dirname(d)) {
      if (pinned.has(d)) break;
      pinned.add(d);
      out.pins.push({ op: 'bind', src: d, dest: d });
    }
  };
  const writeAllowed = (p: string, isDir: boolean): boolean =>
    writeAllow.some((m) => m.match(p) || (isDir && m.match(`${p}/x`)));
  const protect = async (tree: Tree, p: string, st: Stats): Promise<void> => {
    if (writeAllowed(p, st.isDirectory())) return;
    pin(tree, p);
    readOnly(p, st);
  };
  const protectGitDir = async (tree: Tree, gitDir: string): Promise<void> => {
    if (!writeAllowed(gitDir, true)) {
      pin(tree, gitDir);
      if (!pinned.has(gitDir)) {
        pinned.add(gitDir);
        out.pins.push({ op: 'bind', src: gitDir, dest: gitDir });
      }
    }
    const hooks = path.join(gitDir, 'hooks');
    let hst = await lstat(hooks).catch(() => null);
    if (!hst && !writeAllowed(hooks, true)) {
      // Threat: hooks dir deleted by the user/agent, then recreated with a payload: pin an empty one.
      await mkdir(hooks, { mode: 0o755 });
      hst = await lstat(hooks);
    }
    if (hst && !hst.isSymbolicLink()) await protect(tree, hooks, hst);
    const cfg = path.join(gitDir, 'config');
    const cst = await lstat(cfg).catch(() => null);
    if (cst && !cst.isSymbolicLink()) await protect(tree, cfg, cst);
    // Threat: `commondir` (or `config.worktree`) makes git take its config and hooks from a folder
    // the agent writes, around the read-only config. Protected when present; when absent, the run
    // watches for it to appear (`.git` itself must stay writable for commits).
    for (const name of ['commondir', 'config.worktree']) {
      const f = path.join(gitDir, name);
      if (writeAllowed(f, false)) continue;
      const fst = await lstat(f).catch(() => null);
      if (fst && !fst.isSymbolicLink()) await protect(tree, f, fst);
      else if (!fst) out.watchAbsent.push(f);
    }
    // Submodules keep their own git dirs (hooks, config) under modules/.
    await walkTree(path.join(gitDir, 'modules'), input.budget, async (abs, st) => {
      if (!st.isDirectory()) return 'skip';
      if ((await lstat(path.join(abs, 'HEAD')).catch(() => null))?.isFile()) {
        await protectGitDir(tree, abs);
        return 'skip';
      }
      return 'descend';
    });
  };

  for (const tree of trees) {
    const persistence = tree.writable && !tree.isHome && !tree.isSystem;
    const all = [...readDeny, ...writeDeny, ...execDeny];
    // System folders: execNameMasks covers PATH and helper dirs; the home is the agent's own (it can build any program there).
    const namesHere = execNames.length > 0 && !tree.isSystem && !tree.isHome;
    // Threat: a program planted in a folder on the user's PATH (`~/.cargo/bin/cargo`, `~/go/bin/…`
    // under a granted `~/.cargo` or `~/go`) runs unsandboxed the next time the user types its name.
    // Only a rule naming the folder (its literal part is the folder or lies inside it) opens it.
    // Threat: `allow write ~/.cargo/**`, `allow write ~/.cargo` or `allow write *` (meant for the
    // registry, the cache) silently opening `~/.cargo/bin` too (attack pass H).
    const pathOpened = (d: string): boolean => writeAllowNamed.some((m) => m.root !== null && isWithin(m.root, d) && (m.match(d) || m.match(`${d}/x`)));
    // Threat: the same folder, absent at launch (`~/go/bin` before the first `go install`): the agent
    // makes it and fills it. It is made empty here (as the user's would be) and protected like the others.
    const made = new Set<string>();
    for (const d of persistence ? (input.pathAbsent ?? []) : []) {
      if (d === tree.root || !isWithin(d, tree.root) || pathOpened(d)) continue;
      if (await makePathFolder(tree.root, d)) made.add(d);
      else out.warnings.push(`${d} is on your PATH, inside a folder this agent can write, and could not be made (a link or a file is on the way): check it before you run commands from it.`);
    }
    for (const d of persistence ? [...(input.pathDirs ?? []), ...made] : []) {
      if (d === tree.root || !isWithin(d, tree.root) || pathOpened(d)) continue;
      const st = await lstat(d).catch(() => null);
      if (!st?.isDirectory() || done.has(d)) continue;
      pin(tree, d);
      readOnly(d, st);
      out.warnings.push(`${d} is on your PATH and inside a folder this agent can write: it is read-only inside${made.has(d) ? ' (it did not exist: Paddock made it, empty)' : ''} (a rule "allow write ${d}" opens it).`);
    }
    // Threat: the PATH folder's target is read-only, but a link on the way to it (`…/java/current ->
    // 17`) is an entry of a writable folder: pointed at a folder of the agent's, the user's next
    // `java` runs its program. A mount cannot cover a link (it follows it): the folder holding it is
    // read-only, or, when that is the granted folder itself, the user is told (attack pass H).
    for (const l of persistence ? (input.pathLinks ?? []) : []) {
      const dir = path.dirname(l);
      if (!isWithin(dir, tree.root) || pathOpened(l)) continue;
      if (dir === tree.root) {
        out.warnings.push(`${l} is a link on the way to a folder on your PATH, directly in ${tree.root}, which this agent can write: it can point the link elsewhere; grant a folder inside ${tree.root} instead, or take the link off your PATH.`);
        continue;
      }
      const st = await lstat(dir).catch(() => null);
      if (!st?.isDirectory() || done.has(dir) || pathOpened(dir)) continue;
      pin(tree, dir);
      readOnly(dir, st);
      out.warnings.push(`${dir} holds ${path.basename(l)}, a link on the way to a folder on your PATH, inside a folder this agent can write: it is read-only inside (a rule "allow write ${dir}" opens it).`);
    }
    // Threat: `~/.config/autostart/x.desktop`, `~/.ssh/authorized_keys` planted through a grant of
    // `~/.config` or `~/.ssh` run as the user at the next login or SSH connection (attack pass I).
    for (const rel of persistence && input.userHome ? LOGIN_PATHS : []) {
      const abs = path.join(input.userHome as string, rel);
      if (abs === tree.root || !isWithin(abs, tree.root) || done.has(abs) || writeAllowed(abs, true)) continue;
      const st = await lstat(abs).catch(() => null);
      if (st && !st.isSymbolicLink()) {
        await protect(tree, abs, st);
        out.warnings.push(`${abs} runs programs for you (login, desktop or SSH) and lies in a folder this agent can write: it is read-only inside (a rule "allow write ${abs}" opens it).`);
      } else if (st) {
        // A dotfile manager's link (`~/.ssh/config -> ~/dotfiles/ssh_config`): a mount cannot cover a
        // link, so replacing it is watched (alert and pause), and its target is protected when writable here.
        pin(tree, abs);
        if (!done.has(abs)) out.readOnly.push(abs);
        done.add(abs);
        const real = await realpath(abs).catch(() => null);
        const rst = real ? await lstat(real).catch(() => null) : null;
        if (real && rst && trees.some((t) => t.writable && !t.isHome && isWithin(real, t.root))) await protect(trees.find((t) => t.writable && isWithin(real, t.root)) as Tree, real, rst);
      } else out.watchAbsent.push(abs);
    }
    for (const start of startsFor(tree, all, persistence || namesHere)) {
      await walkTree(start, budget, async (abs, st) => {
        if (st.isSymbolicLink()) {
          // Threat: `deny exec /usr/bin/awk` where awk → /etc/alternatives/awk → /usr/bin/mawk: masking the
          // link's final target file makes the program unrunnable and unreadable by any name. Only a file
          // the agent can see anyway is masked (a link the agent planted can only hide things from itself).
          const rst0 = namesHere ? await stat(abs).catch(() => null) : null;
          if (denied(execDeny, execAllow, abs, false) !== 'mask' && !(rst0?.isFile() && execNameDenied(abs, rst0))) return 'skip';
          const real = await realpath(abs).catch(() => null);
          const rst = real ? await stat(real).catch(() => null) : null;
          if (real && rst?.isFile() && trees.some((t) => isWithin(real, t.root))) mask(real, rst);
          return 'skip';
        }
        const read = denied(readDeny, readAllow, abs, st.isDirectory());
        // Threat: `mv keys moved` in run 1, so that run 2 finds no path to mask and reads moved/id_rsa.
        if (read === 'mask') {
          if (tree.writable) pin(tree, abs);
          mask(abs, st);
          return 'skip';
        }
        if (st.isFile() && (denied(execDeny, execAllow, abs, false) === 'mask' || (namesHere && execNameDenied(abs, st)))) {
          if (tree.writable) pin(tree, abs);
          mask(abs, st);
          return 'skip';
        }

        const underRo = roDirs.some((d) => isWithin(abs, d));
        if (!underRo && denied(writeDeny, writeAllowNamed, abs, st.isDirectory()) === 'mask') {
          // Threat: `mv conf conf.old; mkdir conf; echo x > conf/app.conf` writes the path anyway.
          if (tree.writable) pin(tree, abs);
          readOnly(abs, st);
        }
        if (persistence && !underRo && abs !== tree.root) {
          const base = path.basename(abs);
          if (base === '.git' && st.isDirectory()) {
            await protectGitDir(tree, abs);
            return 'skip';
          }
          if ((base === '.git' && st.isFile()) || (RC_FILES.has(base) && st.isFile()) || (base === '.vscode' && st.isDirectory())) {
            await protect(tree, abs, st);
          }

        }
        return 'descend';
      }, { links: execDeny.length > 0 || namesHere });
    }
  }
  return out;
}
