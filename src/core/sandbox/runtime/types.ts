import type { Pin } from '../links.js';
import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import type { LauncherPool } from './launcher.js';

/** Resource limits of a run: bytes, live-process count, cores. `null` = no limit. */
export interface RunLimits {
  memory: number | null;
  processes: number | null;
  cpu: number | null;
}

/** A process start seen inside the sandbox. `suppressed` > 0 marks a rate-cap summary (pid 0, argv []). */
export interface ProcExecEvent {
  kind: 'proc.exec';
  pid: number;
  argv: string[];
  suppressed?: number;
}

/** A coalesced change in the workspace: `path` is absolute, `count` the changes folded into it. */
export interface FsChangeEvent {
  kind: 'fs.change';
  path: string;
  change: string;
  count: number;
}

/** What the runtime reports while a sandbox runs. */
export type RuntimeEvent = ProcExecEvent | FsChangeEvent;

/** Which cgroup setup a run uses; `none` = rlimits + signals. */
export type CgroupMode = 'v2-delegated' | 'v2-root' | 'v1-root' | 'none';

/** Everything `launchSandbox` needs. The engine builds `argv`/`env` from the plan. */
export interface LaunchOptions {
  /** `['bwrap', '--args', FD, '--', ...command]` (argv[0] may be an absolute path to bwrap; FD is one of `setupData`), or bwrap's options inline. */
  argv: string[];
  /** Environment of the bwrap process (the plan's minimal env). */
  env: Record<string, string>;
  agent: string;
  runId: string;
  limits: RunLimits;
  /** 'inherit' for a foreground run; 'pipe' when the host streams stdio to a guest CLI. */
  stdio: 'inherit' | 'pipe';
  /** Watched (recursively, symlinks not followed) for fs.change events. */
  workspace: string;
  /** Folders inside the workspace not watched: data dirs hidden from the agent, whose changes are Paddock's own. */
  unwatched?: readonly string[];
  onEvent: (e: RuntimeEvent) => void;
  /**
   * bwrap's setup data (masks, seccomp, in-sandbox files): entry i is given to bwrap at fd 3+i and
   * read until end of file. No other fd of this process reaches bwrap.
   */
  setupData?: readonly Buffer[];
  /** Granted paths held open since they were checked (the plan's `pins`): bwrap gets them at fds after the setup data. */
  pins?: readonly Pin[];
  /** The engine's pre-started launchers; without them every start is cold. */
  launchers?: LauncherPool;
  /** Force a cgroup mode (tests, or `none` to exercise the fallback). Default: the strongest detected. */
  cgroup?: CgroupMode;
  /** proc.exec poll interval, ms (default 50). */
  pollMs?: number;
  /** proc.exec events per second before aggregating into a summary (default 50). */
  execRateCap?: number;
  /**
   * The agent's proxy listener, made inside the sandbox's network namespace before the agent runs
   * (native/nslisten.c): needs the native launcher; without it the start fails (fail closed).
   */
  netListener?: NetListener;
}

/** A listener on 127.0.0.1:`port` inside the sandbox, handed to `onServer` before the agent starts. */
export interface NetListener {
  port: number;
  onServer(server: Server): void;
  /** Test hook: the helper fails as if the listener could not be made. */
  testFail?: boolean;
}

/** Exit of a run: the outer bwrap's code (bwrap gives 128+N when the command died of signal N) or the signal that ended bwrap. */
export interface RunExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The run's limits that bit, when any did (processes killed out of memory, starts refused). */
  limitsHit?: { memory: number; processes: number };
}

/** A live sandbox and its controls. */
export interface SandboxProcess {
  /** The bwrap process on the host. */
  readonly hostPid: number;
  /** stdio streams when 'pipe'. */
  readonly child: ChildProcess;
  /** Which mechanism enforces what, e.g. `{ memory: 'cgroup v1 memory.limit_in_bytes' }`. */
  readonly enforcement: Record<string, string>;
  /** The cgroup mode in use. */
  readonly mode: CgroupMode;
  /** Host pids of every process of the run (bwrap included). */
  pids(): number[];
  /** Recent CPU (cores), memory (bytes) and process count. */
  stats(): Promise<{ cpu: number; memory: number; pids: number }>;
  /** Freeze every process; resolves when all are frozen. */
  pause(): Promise<void>;
  /** Thaw every process. */
  resume(): Promise<void>;
  /** SIGKILL every process at once (emergency stop); resolves when all are gone. */
  kill(): Promise<void>;
  /** SIGTERM every process, wait up to graceMs (default 10 000), then kill. */
  stop(graceMs?: number): Promise<void>;
  readonly state: 'running' | 'paused' | 'exited';
  /** Resolves when every process of the run is gone. */
  readonly exited: Promise<RunExit>;
}

/** Host capabilities relevant to sandboxing, as found by `detectCapabilities`. */
export interface Capabilities {
  bwrap: { path: string | null; version: string | null };
  /** A probe `bwrap --unshare-user --unshare-pid … true` succeeded. */
  userns: { ok: boolean; error: string | null };
  /** /proc/sys/kernel/apparmor_restrict_unprivileged_userns: true = restricted, null = absent. */
  apparmorRestrict: boolean | null;
  maxUserNamespaces: number | null;
  cgroup: {
    mode: CgroupMode;
    /** Writable controllers / features, e.g. ['memory', 'pids', 'cpu', 'cpuacct', 'freezer', 'v2-freeze', 'v2-kill']. */
    controllers: string[];
    /** Parent directories runs are created under, by controller ('unified' for v2). */
    parents: Record<string, string>;
  };
  prlimit: string | null;
}
