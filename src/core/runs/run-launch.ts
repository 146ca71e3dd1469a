/**
 * The start path of one run, from a reserved slot to live processes: the engine's additions
 * (egress path, secrets), the sandbox plan, the git guard, then the launch. Fails closed: any
 * error undoes what was set up and is rethrown, so a failed start leaves nothing behind.
 */
import { PaddockError } from '../../shared/errors.js';
import type { NewEvent } from '../../shared/events.schema.js';
import { renderInstructions } from '../agents/index.js';
import { GrantRedirectError, launchSandbox, prepareSandbox, type LauncherPool, type SandboxProcess } from '../sandbox/index.js';
import { GitGuard } from './git-guard.js';
import { wrapperHelpers } from './wrapper-helpers.js';
import { hostLocale } from './host-locale.js';
import type { RunAdditions, RunManagerDeps, StartOptions } from './types.js';

/** What a launched run holds until it ends. */
export interface Launched {
  proc: SandboxProcess;
  add: RunAdditions;
  /** Removes the sandbox's host-side files (copies, setup data). */
  cleanup: () => Promise<void>;
  /** Paths masked or read-only in the sandbox (watched: they must stay covered). */
  covered: string[];
  /** Paths that must stay absent inside the sandbox. */
  mustStayAbsent: string[];
  gitGuard: GitGuard | null;
  /** What the plan changed from what the profile asks, for the user (a hidden data dir, a read-only grant…). */
  warnings: string[];
}

/** The identity of the run being launched. */
export interface LaunchTarget {
  name: string;
  run: string;
  home: string;
  workspace: string;
  /** Why the run was killed while starting, or null: checked before anything of it runs. */
  cancelled?: () => string | null;
}

/**
 * Prepares and launches the run. On any failure, `failed` is told first (the slot is freed), then
 * everything set up is undone and the error rethrown.
 */
export async function launchRun(deps: RunManagerDeps, launchers: LauncherPool, o: StartOptions, t: LaunchTarget, failed: () => void): Promise<Launched> {
  const { profile } = o;
  const { name, run, home, workspace } = t;
  let cleanup: () => Promise<void> = async () => {};
  let add: RunAdditions = {};
  let gitGuard: GitGuard | null = null;
  try {
    // A run whose end was never checked (the host died) is checked before anything else.
    // Its events are logged once this run's secrets are known, so they are masked too. Threat: a
    // folder named after a secret (`r-$TOKEN/.git`) in the recovered run's git-plant alert, logged in
    // clear by a host that never held the secret (attack pass H).
    const recovered: NewEvent[] = [];
    await GitGuard.recover({ paths: deps.paths, agent: name, log: (e) => recovered.push(e) });
    try {
      add = (await deps.prepare?.({ agent: name, run, home, profile, ruleSet: o.ruleSet, network: o.network })) ?? {};
    } finally {
      for (const e of recovered) deps.log(e);
    }
    const command = o.command && o.command.length ? o.command : profile.command;
    const plan = await prepareSandbox({
      agent: name,
      runId: run,
      dataDir: deps.paths.root,
      home,
      workspace,
      folders: profile.folders,
      command: add.wrapCommand ? add.wrapCommand(command) : command,
      // A terminal session's wrapper is a shell that already says "not found" itself.
      checkCommand: !o.wrapper,
      rules: o.ruleSet.rules,
      instructions: renderInstructions(profile, o.ruleSet),
      tty: o.tty ?? false,
      ...hostLocale(),
      userHome: deps.userHome,
      userPath: o.userPath,
      othersWritable: deps.othersWritable?.(name),
      extraBinds: add.extraBinds,
      extraEnv: add.extraEnv,
      extraPath: add.extraPath,
      extraFiles: add.extraFiles,
      onProgress: (p) => {
        // The copy reports every 100 files: progress events for the UI, then one when it is done.
        if (p.copied === p.total) deps.log({ kind: 'fs.change', agent: name, run, path: p.folder, change: 'copied-in', count: p.total });
        else deps.log({ kind: 'fs.change', agent: name, run, path: p.folder, change: 'copying', count: p.copied, total: p.total });
      },
    });
    cleanup = plan.cleanup;
    const ofWrapper = wrapperHelpers([...plan.helpers, ...(o.wrapper?.helpers ?? [])]);
    // The bridge's helpers first: they run beside the wrapper and must not close its window.
    const helper = (argv: readonly string[]): boolean => add.isHelper?.(argv) === true || ofWrapper(argv);
    if (plan.warnings.length) o.onNotes?.(plan.warnings);
    if (plan.gitTrees.length) gitGuard = await GitGuard.begin({ paths: deps.paths, agent: name, run, roots: plan.gitTrees, visible: plan.visible, log: (e) => deps.log(e) });
    // Threat: an emergency stop during the start (a secret's ask, a long copy) followed by the start.
    const why = t.cancelled?.();
    if (why) throw new PaddockError('E_KILLED', `agent "${name}" was not started: ${why} while it was starting; start it again with paddock run when you want it`);
    const proc = await launchSandbox({
      argv: plan.argv,
      env: plan.env,
      // bwrap blocks reading its setup data (masks, seccomp, in-sandbox files) until each fd ends.
      setupData: plan.fds,
      pins: plan.pins,
      launchers,
      ...(add.netListener ? { netListener: add.netListener } : {}),
      agent: name,
      runId: run,
      limits: profile.limits,
      stdio: o.stdio,
      workspace,
      unwatched: plan.hiddenDataDirs,
      onEvent: (e) => deps.log({ ...e, ...(e.kind === 'proc.exec' && helper(e.argv) ? { paddock: true } : {}), agent: name, run }),
    });
    return { proc, add, cleanup, covered: [...plan.masked, ...plan.readOnly], mustStayAbsent: plan.watchAbsent, gitGuard, warnings: plan.warnings };
  } catch (e) {
    // Threat: a grant redirected by a link another agent planted; the user must see it, not just this start fail.
    if (e instanceof GrantRedirectError) deps.log({ kind: 'alert', agent: name, run, type: 'grant-redirect', message: e.message, link: e.link, target: e.target });
    gitGuard?.discard();
    failed();
    await cleanup().catch(() => undefined);
    await add.teardown?.().catch(() => undefined);
    throw e;
  }
}
