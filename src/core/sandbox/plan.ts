import { closeSync, mkdirSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import { INSTRUCTION_FILE } from '../../shared/names.js';
import { packageRoot } from '../native.js';
import { copyFolderOnce } from './copy.js';
import { emptyMaskFile } from './empty-file.js';
import { droppedEnvKeys, sandboxEnv, sandboxPathDirs } from './env.js';
import { withExecCheck } from './exec-check.js';
import { missingProgramNote } from './program-check.js';
import { execNameMasks } from './exec-mask.js';
import { hostSocketMasks } from './host-sockets.js';
import { preparePlaceholder } from './files.js';
import { pinPath, type Pin } from './links.js';
import { codeCovers, codePaths, dataDirHomes, dataDirsToHide, missingDataDirs, otherDataDirs, parentPins } from './own-paths.js';
import { dropInnerFileGrants, mergeGrants, pathGrantRules, realpathLoose, resolveAgentDir, resolveFolder, ruleGrants, writeGlobNotes, type Grant, type GrantContext } from './grants.js';
import { writeInstructionFile } from './instructions.js';
import { bwrapArgsData, bwrapOptions, depth, isWithin, maskOps, type MountLayout, type MountOp } from './layout.js';
import { planRuleMasks, readDenied, type Tree } from './masks.js';
import { userPathAbsent, userPathDirs, userPathLinks } from './user-path.js';
import { assertPlatformSupported, bwrapHasBindFd, findBwrap } from './platform.js';
import { seatbeltProfile } from './seatbelt.js';
import { seccompProgram } from './seccomp.js';
import type { SandboxSpec } from './spec.js';
import { etcMasks, identityFiles, insideIds, procHardening, systemOps } from './system.js';
import { MAX_WALK_ENTRIES } from './walk.js';

export { buildBwrapArgs, type MountLayout, type MountOp } from './layout.js';
export { sandboxEnv } from './env.js';

/** A ready-to-spawn sandbox. */
export interface SandboxPlan {
  /**
   * `[bwrap, '--args', FD, '--', ...command]` (bwrap as an absolute path; its options are in `fds`,
   * never on its command line); on macOS `[sandbox-exec, -p, profile, ...command]`.
   */
  argv: string[];
  /** The argv of Paddock's own wrapper around the command (the exec check), when there is one. */
  helpers: string[][];
  /** Environment for the bwrap process itself: empty (bwrap's own environ shows in /proc/1/environ inside). */
  env: Record<string, string>;
  /** Current directory to spawn in (the workspace). */
  cwd: string;
  /** Data bwrap reads at setup: `fds[i]` must be written to child fd `3 + i`, then closed (see `spawnSandbox`). */
  fds: Buffer[];
  /**
   * Granted paths held open since they were checked, bound with `--bind-fd`: `pins[j].fd` must
   * reach the child as fd `3 + fds.length + j` (see `spawnSandbox`; the launcher opens them again
   * itself and checks they are the same files). Closed by `cleanup`.
   */
  pins: Pin[];
  /** Inside paths hidden by rules and defaults (masked files and folders). */
  masked: string[];
  /** Inside paths made read-only by rules and persistence protection. */
  readOnly: string[];
  /** Paths that must not appear while the run lasts (the run manager watches them). */
  watchAbsent: string[];
  /** Host folders the agent may write (its home, workspace, rw grants): where its links may point (link plants). */
  visible?: string[];
  /** Writable folders the user's own git may walk later (workspace and rw grants; not the agent's home). */
  gitTrees: string[];
  /** Data dirs hidden inside (a grant or the workspace holds them): not the agent's, so not watched for its changes. */
  hiddenDataDirs: string[];
  warnings: string[];
  /** The real paths used inside (HOME and the current directory). */
  home: string;
  workspace: string;
  /** Remove the plan's temporary files (safe once the sandbox has started, and idempotent). */
  cleanup(): Promise<void>;
}

const sortByDepth = (ops: MountOp[]): MountOp[] =>
  ops.map((o, i) => ({ o, i })).sort((a, b) => depth(a.o.dest) - depth(b.o.dest) || a.i - b.i).map((x) => x.o);

/**
 * Prepare everything on the host for one run and return the exact command to spawn: checks the
 * platform (fail closed), resolves and checks folders, copies `copy` folders on first start,
 * writes the instruction file, turns rules into masks, and builds the bwrap argument list.
 */
export async function prepareSandbox(spec: SandboxSpec, opts: { platform?: NodeJS.Platform } = {}): Promise<SandboxPlan> {
  const platform = opts.platform ?? process.platform;
  assertPlatformSupported(platform);
  const warnings: string[] = [];
  const dataDir = await realpathLoose(spec.dataDir);
  const userHome = await realpathLoose(spec.userHome ?? os.homedir());
  // Threat: a link planted on the way to a grant by any agent (not only this one) or another user.
  // Every folder an agent can write is suspect: this agent's own, and the others' (spec.othersWritable).
  const ruleGrantsPlanned = pathGrantRules(spec, await realpathLoose(spec.home));
  const writable = [
    spec.home,
    spec.workspace,
    ...spec.folders.filter((f) => f.access === 'rw').map((f) => f.path),
    ...ruleGrantsPlanned.filter((g) => g.rule.kind === 'write').map((g) => g.path),
    ...(spec.othersWritable ?? []),
  ];
  const agentWritable = [...new Set([...writable.map((p) => path.resolve(p)), ...(await Promise.all(writable.map((p) => realpathLoose(p))))])];
  // Threat: another Paddock data dir in a grant (the default one, $PADDOCK_HOME): its db, sockets, agents.
  const others = await otherDataDirs(dataDir, spec.otherDataDirs ?? dataDirHomes(spec.userHome));
  const ctx: GrantContext = { dataDir, otherDataDirs: others, userHome, agent: spec.agent, trust: { agentWritable, uid: process.getuid?.() ?? 0 } };
  const home = await resolveAgentDir(spec.home, ctx, 'home');
  const workspace = await resolveAgentDir(spec.workspace, ctx, 'workspace');
  const instructionFile = spec.instructionFile ?? INSTRUCTION_FILE;

  const grants: Grant[] = [];
  const copies: { src: string; dest: string; folder: string; names: string[] }[] = [];
  for (const f of spec.folders) {
    const r = await resolveFolder(f.path, ctx, `folder ${f.path}`);
    if (f.access !== 'copy') grants.push({ ...r, access: f.access, source: `folder ${f.path}` });
    else {
      const dest = path.join(workspace, path.basename(r.path));
      if (path.basename(r.path) === instructionFile || copies.some((c) => c.dest === dest)) {
        throw new PaddockError('E_FOLDER', `Cannot copy ${f.path}: another copy or the instruction file already uses ${dest}. Rename one of them.`);
      }
      copies.push({ src: r.path, dest, folder: f.path, names: [...new Set([r.path, ...(path.isAbsolute(f.path) ? [path.resolve(f.path)] : [])])] });
    }
  }
  grants.push(...(await ruleGrants(spec, home, ctx, warnings)));
  const merged = dropInnerFileGrants(mergeGrants(grants, warnings), workspace);
  writeGlobNotes(spec.rules, home, [workspace, home, ...merged.filter((g) => g.isDir && g.access === 'rw').map((g) => g.path)], warnings);
  for (const k of droppedEnvKeys(spec.extraEnv)) warnings.push(`Environment variable "${k}" was not passed: reserved or invalid name.`);

  const hidden = readDenied(spec.rules, home);
  for (const c of copies) {
    // Threat: `deny read /S/token.txt` with `/S` a copy folder handing the file over as `<workspace>/S/token.txt`.
    const skip = (rel: string, isDir: boolean): boolean => c.names.some((n) => hidden(path.join(n, rel), isDir) === 'mask');
    if (platform !== 'linux') {
      await copyFolderOnce(c.src, c.dest, c.folder, spec.onProgress, skip);
      continue;
    }
    // Threat: the source swapped for a link between its check and the copy: copy what was checked.
    const pin = pinPath(c.src, `folder ${c.folder}`);
    try {
      await copyFolderOnce(`/proc/self/fd/${pin.fd}`, c.dest, c.folder, spec.onProgress, skip);
    } finally {
      closeSync(pin.fd);
    }
  }
  const instructionPath = await writeInstructionFile(workspace, instructionFile, spec.instructions);
  const codeRoot = spec.codeRoot === undefined ? packageRoot() : spec.codeRoot;
  const env = sandboxEnv({ ...spec, home });

  if (platform === 'darwin') {
    const port = /:(\d+)\/?$/.exec(spec.extraEnv?.HTTP_PROXY ?? '')?.[1];
    const profile = seatbeltProfile(
      { ...spec, otherDataDirs: others, readOnlyCode: await codePaths(codeRoot), home, workspace, folders: merged.map((g) => ({ path: g.path, access: g.access })) },
      { proxyPort: port ? Number(port) : null },
    );
    return {
      argv: ['/usr/bin/sandbox-exec', '-p', profile, ...spec.command], helpers: [], env, cwd: workspace, fds: [], pins: [], masked: [], readOnly: [], watchAbsent: [], gitTrees: [], hiddenDataDirs: [],
      warnings, home, workspace, cleanup: async () => {},
    };
  }

  const bwrap = findBwrap() as string; // assertPlatformSupported checked it exists
  // Nothing of a run is left on the host to remove (the mask file is shared); the pins are closed.
  const pins: Pin[] = [];
  const cleanup = async (): Promise<void> => {
    for (const p of pins.splice(0)) closeSync(p.fd);
  };
  const pinFds = bwrapHasBindFd(bwrap);
  if (!pinFds) warnings.push(`${bwrap} has no --bind-fd (bubblewrap before 0.5): folders are bound by path, so an agent racing the start could swap one. Update bubblewrap.`);
  /** Binds a checked real path: through an fd held open since the check when bwrap can. */
  const grantBind = (src: string, rw: boolean, what: string): MountOp => {
    if (!pinFds) return { op: rw ? 'bind' : 'ro-bind', src, dest: src };
    pins.push(pinPath(src, what));
    // The fd number is the pin's index for now: pins come after the setup data, numbered below.
    return { op: rw ? 'bind-fd' : 'ro-bind-fd', fd: pins.length - 1, dest: src };
  };
  try {
    // One empty, mode-0000 file: bound over masked files it cannot be read, run or copied.
    const emptyFile = emptyMaskFile();
    const budget = { left: MAX_WALK_ENTRIES };
    const sys = await systemOps();
    const etc = await etcMasks(emptyFile, budget);

    const binds: MountOp[] = [
      grantBind(home, true, "the agent's home"),
      grantBind(workspace, true, "the agent's workspace"),
      ...merged.map((g) => grantBind(g.path, g.access === 'rw', g.source)),
    ];
    const bound = binds.map((b) => ({ dest: b.dest, rw: b.op === 'bind' || b.op === 'bind-fd' }));
    for (const d of await missingDataDirs(dataDir, spec.otherDataDirs ?? dataDirHomes(spec.userHome))) {
      if (!bound.some((b) => b.rw && isWithin(d, b.dest))) continue;
      // Threat: a known data dir not made yet, made by the agent with a control socket of its own that
      // the user's next `paddock ps` / `run` (with $PADDOCK_HOME, or the default) would talk to.
      mkdirSync(path.dirname(d), { recursive: true });
      mkdirSync(d, { mode: 0o700 });
      others.push(d);
    }
    // Threat: a grant (or workspace) that contains a data dir would expose its db, sockets and agents.
    const hiddenDirs = dataDirsToHide([dataDir, ...others], binds.map((b) => b.dest));
    // Threat: `mv parent parent.old` takes a hidden data dir out from under its path: the next run shows it.
    // (Never inside a hidden one: a bind there would show the host folder through its tmpfs.)
    for (const d of parentPins(hiddenDirs, bound)) if (!hiddenDirs.some((h) => isWithin(d, h))) binds.push({ op: 'bind', src: d, dest: d });
    for (const d of hiddenDirs) {
      binds.push({ op: 'tmpfs', dest: d, mode: 0o755 });
      warnings.push(d === dataDir ? `A granted folder contains Paddock's data dir; it is hidden inside.` : `A granted folder contains another Paddock data dir (${d}); it is hidden inside.`);
    }
    // Only the agent's own home and workspace show inside a hidden data dir: no rule pin re-exposes it.
    const shown = (p: string): boolean => !hiddenDirs.some((d) => isWithin(p, d)) || isWithin(p, home) || isWithin(p, workspace);
    // Threat: an agent rewriting Paddock's code (bin/, dist/, node_modules/…) that the user runs next, unsandboxed.
    const covers = codeRoot ? (await codeCovers(codeRoot, [home, workspace, ...merged.filter((g) => g.access === 'rw').map((g) => g.path)])).filter(shown) : [];
    if (covers.length) warnings.push(`A folder this agent can write contains Paddock's own code (${codeRoot}); it is read-only inside: ${covers.join(', ')}.`);
    for (const b of spec.extraBinds ?? []) {
      binds.push({ op: b.mode === 'rw' ? 'bind' : 'ro-bind', src: realpathSync.native(b.src), dest: b.dest }); // sync: see grants.ts
    }

    const trees: Tree[] = [
      ...sys.roots.map((r) => ({ root: r, writable: false, isHome: false, isSystem: true })),
      { root: home, writable: true, isHome: true, isSystem: false },
      { root: workspace, writable: true, isHome: false, isSystem: false },
      ...merged.filter((g) => g.isDir).map((g) => ({ root: g.path, writable: g.access === 'rw', isHome: false, isSystem: false })),
    ];
    const aliases = copies.flatMap((c) => c.names.map((from) => ({ from, to: c.dest })));
    // Threat: a program planted in a folder on the PATH of the terminal that ran a guest `paddock run`
    // (the host's own PATH may lack it): both are protected (attack pass H).
    const userPath = [process.env.PATH, spec.userPath].filter(Boolean).join(':');
    const rules = await planRuleMasks({ trees, rules: spec.rules, home, emptyFile, budget, copies: aliases, pathDirs: userPathDirs(userPath), pathLinks: userPathLinks(userPath), pathAbsent: userPathAbsent(userPath), userHome });
    for (const k of ['masked', 'readOnly', 'watchAbsent'] as const) rules[k] = rules[k].filter(shown);
    // A part under a mask or a read-only path needs nothing more (binding it would undo the mask).
    const covered = (p: string): boolean => [...rules.masked, ...rules.readOnly].some((m) => isWithin(p, m));
    const codeOps = covers.filter((c) => !covered(c)).map((c) => grantBind(c, false, "Paddock's own code"));
    // Threat: `mv paddock paddock.old` (or `mv native n.old`) and a planted copy where the user runs it next.
    const codePins = parentPins(covers, bound).filter((d) => shown(d) && !covered(d)).map((d): MountOp => ({ op: 'bind', src: d, dest: d }));
    // Threat: a rule's pin (a fresh bind of the host folder) inside or above Paddock's code would
    // make it writable again: inside, pins are read-only; above, depth order puts the code after them.
    const inCode = (p: string): boolean => covers.some((c) => isWithin(p, c));
    const inHidden = (p: string): boolean => hiddenDirs.some((d) => isWithin(p, d));
    const rulePins = rules.pins.map((o): MountOp => (o.op === 'bind' && inCode(o.dest) ? { ...o, op: 'ro-bind' } : o));
    warnings.push(...rules.warnings);
    const visibleRoots = [...sys.roots, home, workspace, ...merged.map((g) => g.path)];
    const execMasked = (await execNameMasks(spec.rules, sandboxPathDirs({ home, extraPath: spec.extraPath }), visibleRoots)).filter(shown);
    // Threat: a host program's Unix socket in a granted folder, reached around the proxy (attack pass I).
    const socketMasked = hostSocketMasks(visibleRoots).filter((p) => shown(p) && !covered(p));
    if (socketMasked.length) warnings.push(`Sockets of programs outside the sandbox are hidden inside (the agent would reach them around the proxy): ${socketMasked.join(', ')}.`);
    const missing = missingProgramNote(spec.command, { pathDirs: sandboxPathDirs({ home }), visibleRoots, workspace, agent: spec.agent });
    if (missing) warnings.push(missing);

    const fds: Buffer[] = [];
    const fdFor = (data: string | Buffer): number => fds.push(Buffer.from(data)) + 2;
    const ids = insideIds(process.getuid?.() ?? 1000, process.getgid?.() ?? 1000);
    const idf = identityFiles(spec.agent, ids.uid, ids.gid, home);
    const hostTrees = [home, workspace, ...merged.filter((g) => g.access === 'rw').map((g) => g.path)];
    const fileOps: MountOp[] = [];
    for (const f of spec.extraFiles ?? []) {
      if (!path.isAbsolute(f.dest)) throw new PaddockError('E_INVALID_INPUT', `In-sandbox file ${f.dest} must be an absolute path.`);
      await preparePlaceholder(f.dest, hostTrees);
      fileOps.push({ op: 'ro-bind-data', fd: fdFor(f.content), dest: f.dest, mode: f.mode });
    }
    const layout: MountLayout = {
      tty: spec.tty === true,
      uid: ids.uid,
      gid: ids.gid,
      hostname: spec.agent,
      env,
      cwd: workspace,
      ops: [
        ...sys.ops,
        ...procHardening(emptyFile),
        ...etc.ops,
        { op: 'ro-bind-data', fd: fdFor(idf.passwd), dest: '/etc/passwd', mode: 0o644 },
        { op: 'ro-bind-data', fd: fdFor(idf.group), dest: '/etc/group', mode: 0o644 },
        ...sortByDepth(binds.filter((b) => !inHidden(b.dest))),
        // After every grant: Paddock's code stays read-only even inside a writable folder, also
        // under a rule's pins and masks (one depth order; at a tie the code comes after the pins).
        // Threat: a pin above a hidden data dir binds the host folder again; the data dir's tmpfs
        // (and the agent's own folders inside it) come after it in the same order.
        ...sortByDepth([...binds.filter((b) => inHidden(b.dest) && !covered(b.dest)), ...[...codePins, ...rulePins, ...codeOps, ...rules.masks].filter((o) => shown(o.dest))]),
        ...execMasked.flatMap((p) => maskOps(p, false, emptyFile)),
        ...socketMasked.flatMap((p) => maskOps(p, false, emptyFile)),
        // The instruction file is Paddock's: the agent reads it but cannot rewrite it for later runs.
        { op: 'ro-bind', src: instructionPath, dest: instructionPath },
        ...fileOps,
        // Threat: a hidden data dir's tmpfs used as scratch space (its own agent's folders are mounts of their own).
        ...hiddenDirs.map((d): MountOp => ({ op: 'remount-ro', dest: d })),
        // Threat: the root tmpfs used as scratch space outside any limit or review.
        { op: 'remount-ro', dest: '/' },
      ],
      command: spec.command,
    };
    const checked = spec.checkCommand ? withExecCheck(spec.command, (p) => [...etc.masked, ...rules.masked, ...execMasked].some((m) => isWithin(p, m)), Boolean(missing)) : null;
    if (checked) layout.command = checked;
    // Threat: TTY injection, kernel keyrings, nested namespaces and other kernel attack surface.
    layout.seccompFd = fdFor(seccompProgram());
    // Pins come after every setup fd, the args fd below included (it is the last setup fd).
    const firstPin = 3 + fds.length + 1;
    layout.ops = layout.ops.map((o) => (o.op === 'bind-fd' || o.op === 'ro-bind-fd' ? { ...o, fd: firstPin + o.fd } : o));
    // Threat: bwrap's command line is world-readable (/proc/PID/cmdline on the host, /proc/1/cmdline
    // inside): secret values (--setenv), granted and masked paths, the data dir. bwrap reads its
    // options from a setup fd instead; only the agent's own command stays on its command line.
    const argsFd = fdFor(bwrapArgsData(bwrapOptions(layout)));
    if (argsFd + 1 !== firstPin) throw new Error('internal: the pinned folders would not follow the setup fds');
    return {
      argv: [bwrap, '--args', String(argsFd), '--', ...layout.command],
      helpers: checked ? [checked] : [],
      env: {},
      cwd: workspace,
      fds,
      pins,
      masked: [...etc.masked, ...rules.masked, ...execMasked, ...socketMasked],
      readOnly: rules.readOnly,
      watchAbsent: rules.watchAbsent,
      gitTrees: [workspace, ...merged.filter((g) => g.access === 'rw' && g.isDir).map((g) => g.path)],
      visible: [home, workspace, ...merged.filter((g) => g.access === 'rw').map((g) => g.path)],
      hiddenDataDirs: hiddenDirs,
      warnings,
      home,
      workspace,
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
