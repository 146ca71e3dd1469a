import type { ChildProcess } from 'node:child_process';
import { readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PaddockError } from '../../../shared/errors.js';
import { findBwrap, findPrlimit } from './capabilities.js';
import { type CgroupLayout, detectCgroupLayout } from './cgroup-detect.js';
import { RunCgroup } from './cgroup.js';
import { RunControl } from './control.js';
import { FsWatcher } from './fs-watch.js';
import { netListenerFd, startLauncher, type Launcher, type NetOutcome } from './launcher.js';
import { coldSpawn } from './cold-spawn.js';
import { nativeBinary } from '../../native.js';
import { ProcWatcher } from './proc-watch.js';
import { sleep } from './proc.js';
import { parseBwrapArgsData } from '../layout.js';
import type { LaunchOptions, RunExit, RunLimits, SandboxProcess } from './types.js';

export type { LaunchOptions, SandboxProcess, RunExit, RuntimeEvent, RunLimits } from './types.js';

const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));

let cachedLayout: CgroupLayout | null = null;

/** The machine's cgroup layout, detected once per process. */
export function cgroupLayout(): CgroupLayout {
  cachedLayout ??= detectCgroupLayout();
  return cachedLayout;
}

/**
 * Removes the cgroups of runs whose host died (e.g. SIGKILL) before cleaning up. Only empty ones go:
 * the kernel refuses rmdir of a cgroup with processes, so live runs are never touched, and ones younger
 * than `minAgeMs` are left alone (a run between mkdir and its wrapper joining is still empty). Call it at
 * engine start, once the data-dir lock is held. Returns how many were removed.
 */
export function sweepStaleCgroups(minAgeMs = 5000): number {
  let n = 0;
  for (const parent of Object.values(cgroupLayout().parents)) {
    let names: string[];
    try {
      names = readdirSync(parent, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        // Young ones may be runs that are starting (created, wrapper not yet joined).
        if (Date.now() - statSync(join(parent, name)).ctimeMs < minAgeMs) continue;
        rmdirSync(join(parent, name));
        n++;
      } catch {
        // populated (a live run) or already gone
      }
    }
  }
  return n;
}

/** rlimit fallbacks for the limits no cgroup enforces, as a prlimit(1) prefix, plus what they enforce. */
function rlimitFallback(limits: RunLimits, missing: Array<keyof RunLimits>): { prefix: string[]; enforcement: Record<string, string> } {
  const prefix: string[] = [];
  const enforcement: Record<string, string> = {};
  const opts: string[] = [];
  if (missing.includes('memory') && limits.memory !== null) {
    opts.push(`--as=${Math.floor(limits.memory)}`);
    enforcement.memory = 'rlimit RLIMIT_AS (per process address space)';
  }
  if (missing.includes('processes') && limits.processes !== null) {
    opts.push(`--nproc=${Math.floor(limits.processes)}`);
    enforcement.processes =
      process.getuid?.() === 0
        ? 'not enforced: RLIMIT_NPROC does not bind uid 0 (run Paddock as a user, or make a pids cgroup writable)'
        : 'rlimit RLIMIT_NPROC (counts every process of this uid, not only the agent)';
  }
  if (missing.includes('cpu') && limits.cpu !== null) enforcement.cpu = 'not enforced: no writable cpu cgroup';
  if (opts.length > 0) {
    const prlimit = findPrlimit();
    if (!prlimit) throw new PaddockError('E_SANDBOX_UNAVAILABLE', 'Limits need cgroups or prlimit(1); install util-linux, or make a cgroup writable for Paddock.');
    prefix.push(prlimit, ...opts, '--');
  }
  return { prefix, enforcement };
}

/** bwrap's options: those on its command line and those it reads from its `--args` setup fd. */
function bwrapOptionsOf(argv: readonly string[], setupData: readonly Buffer[]): string[] {
  const end = argv.indexOf('--');
  const inline = argv.slice(1, end < 0 ? argv.length : end);
  const i = inline.indexOf('--args');
  const data = i >= 0 ? setupData[Number(inline[i + 1]) - 3] : undefined;
  return data ? [...inline, ...parseBwrapArgsData(data)] : inline;
}

/**
 * Starts a bubblewrap sandbox inside its own cgroups (or with rlimit/signal fallbacks), watches
 * its processes and workspace, and returns its controls. Resolves as soon as bwrap is spawned.
 */
export async function launchSandbox(o: LaunchOptions): Promise<SandboxProcess> {
  if (o.argv.length === 0) throw new PaddockError('E_INTERNAL', 'The sandbox command line is empty; this is a bug in Paddock, please report it.');
  const layout = cgroupLayout();
  const wanted = o.cgroup ?? layout.mode;
  if (wanted !== 'none' && wanted !== layout.mode) {
    throw new PaddockError('E_SANDBOX_UNAVAILABLE', `cgroup mode ${wanted} is not available here (found ${layout.mode}); run \`paddock doctor\`.`);
  }
  const bwrap = o.argv[0] === 'bwrap' ? (findBwrap() ?? 'bwrap') : o.argv[0]!;
  let cg: RunCgroup | null = null;
  // A pre-started launcher, when the engine has one: it already sits in fresh cgroups (see launcher.ts).
  let launcher: Launcher | null = null;
  if (wanted !== 'none' && o.launchers && bwrap.startsWith('/')) {
    launcher = o.launchers.take(o.stdio);
    try {
      launcher?.cg.limit(o.limits);
      cg = launcher?.cg ?? null;
    } catch {
      // the kernel refused a limit on the spare's cgroups: a cold start tries (and reports) it again
      launcher?.discard();
      launcher = null;
    }
  }
  if (wanted !== 'none' && !cg) {
    try {
      cg = RunCgroup.create(layout, o.agent, o.runId, o.limits);
    } catch (e) {
      throw new PaddockError('E_SANDBOX_UNAVAILABLE', `Could not create the run's cgroup (${(e as Error).message}); run \`paddock doctor\`, or free the run id.`);
    }
  }
  const missing: Array<keyof RunLimits> = cg ? cg.unenforced : ['memory', 'processes', 'cpu'];
  let fallback: ReturnType<typeof rlimitFallback>;
  try {
    fallback = rlimitFallback(o.limits, missing);
  } catch (e) {
    if (launcher) launcher.discard();
    else await cg?.remove();
    throw e;
  }
  const enforcement: Record<string, string> = {
    cgroup: cg ? `${cg.mode} ${Object.values(cg.dirs).join(' ')}` : 'none',
    memory: 'no limit set',
    processes: 'no limit set',
    cpu: 'no limit set',
    ...(cg?.enforcement ?? {}),
    ...fallback.enforcement,
  };
  enforcement.freeze ??= 'signal SIGSTOP to each process (rescanned until none is new)';
  enforcement.kill ??= 'signal SIGKILL to the pid-namespace init (the kernel kills the whole namespace)';
  if (bwrapOptionsOf(o.argv, o.setupData ?? []).includes('--die-with-parent')) enforcement.dieWithParent = 'bwrap --die-with-parent (PR_SET_PDEATHSIG SIGKILL)';

  const files = cg ? cg.procsFiles() : [];
  const setupData = o.setupData ?? [];
  const pins = o.pins ?? [];
  // The in-namespace listener: bwrap reports the sandbox's pid and holds it until the listener exists.
  const netFd = netListenerFd(setupData, pins);
  const netArgs = o.netListener ? ['--info-fd', String(netFd), '--block-fd', String(netFd + 1)] : [];
  const command = [...fallback.prefix, bwrap, ...netArgs, ...o.argv.slice(1)];
  let child: ChildProcess;
  let net: Promise<NetOutcome> = Promise.resolve('none');
  if (launcher) {
    // Limits are written; the launcher execs bwrap (or prlimit: both absolute paths) inside them.
    child = launcher.child;
    net = launcher.go(command, o.env, setupData, pins, o.netListener);
  } else {
    // A fresh launcher (it joins the cgroups, then execs), else the shell wrapper. Both keep every
    // fd but stdio and the setup data out of the sandbox.
    const bin = command[0]!.startsWith('/') ? nativeBinary('paddock-launch') : null;
    const fresh = bin ? startLauncher(bin, files, o.stdio, false) : null;
    if (fresh) {
      child = fresh.child;
      net = fresh.go(command, o.env, setupData, pins, o.netListener);
    } else {
      if (o.netListener) {
        // Fail closed: the agent's only network path needs the native launcher.
        await cg?.remove();
        throw new PaddockError('E_SANDBOX_UNAVAILABLE', 'The agent\'s network listener needs the native launcher (native/bin/paddock-launch), which could not be started; run `paddock doctor`, or rebuild it with `npm run build`.');
      }
      try {
        child = coldSpawn(command, o.env, o.stdio, setupData, files, pins);
      } catch (e) {
        await cg?.remove();
        throw e;
      }
    }
  }
  if (child.pid === undefined) {
    await cg?.remove();
    const err = await new Promise<Error>((r) => child.once('error', r));
    throw new PaddockError('E_SANDBOX_UNAVAILABLE', `Could not start the sandbox: ${err.message}. Check that /bin/sh and bubblewrap are installed.`);
  }
  const hostPid = child.pid;
  const control = new RunControl(hostPid, cg);
  const procs = new ProcWatcher(
    () => control.pids(),
    (pid) => pid === hostPid || pid === control.nsInit(),
    (e) => o.onEvent(e),
    o.pollMs ?? 50,
    o.execRateCap ?? 50,
  );
  const files$ = new FsWatcher(o.workspace, (e) => o.onEvent(e), o.unwatched);
  procs.start();
  try {
    files$.start();
  } catch {
    // a missing workspace means no fs.change events, not a failed run
  }

  let state: SandboxProcess['state'] = 'running';
  const exited = new Promise<RunExit>((resolve) => {
    child.once('exit', (code, signal) => {
      control.hostGone = true;
      void (async () => {
        // The listener helper refused the start (it said why on the run's stderr): exit 125, nothing ran.
        if (o.netListener && (await net) === 'failed') [code, signal] = [125, null];
        // When bwrap's namespace init dies the kernel kills the namespace; wait for it, then make sure.
        // The first checks come at once (it is usually empty within a fraction of a ms), then every ms.
        let gone = control.empty();
        for (let i = 0; i < 220 && !gone; i++) {
          await (i < 20 ? immediate() : sleep(1));
          gone = control.empty();
        }
        if (!gone) {
          procs.poll(); // the stragglers' starts are still reported
          await control.killAll();
        }
        procs.stop();
        files$.stop();
        state = 'exited';
        // Threat: a run ended (or crippled) by its limits with nothing said: the user sees a bare 137.
        const hits = cg?.limitHits();
        resolve({ code, signal, ...(hits && (hits.memory > 0 || hits.processes > 0) ? { limitsHit: hits } : {}) });
        // Removing the (now empty) cgroups is bookkeeping, off the exit path; a leftover is swept later.
        void cg?.remove();
      })();
    });
  });

  const sp: SandboxProcess = {
    hostPid,
    child,
    enforcement,
    mode: cg ? cg.mode : 'none',
    pids: () => control.pids(),
    stats: () => control.stats(),
    async pause() {
      if (state !== 'running') return;
      await control.freeze();
      if (state === 'running') state = 'paused';
    },
    async resume() {
      if (state !== 'paused') return;
      control.thaw();
      state = 'running';
    },
    async kill() {
      if (state === 'exited') return;
      await control.killAll();
      await exited;
    },
    async stop(graceMs = 10_000) {
      if (state === 'exited') return;
      if (state === 'paused') await sp.resume();
      control.terminate();
      const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) await sp.kill();
    },
    get state() {
      return state;
    },
    exited,
  };
  return sp;
}
