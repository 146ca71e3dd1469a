/** The shapes a run manager works with: live runs, start options, what the engine adds to a run. */
import type { Readable, Writable } from 'node:stream';
import type { RunState } from '../../shared/agent.schema.js';
import type { NewEvent } from '../../shared/events.schema.js';
import type { Profile } from '../../shared/profile.schema.js';
import type { RuleSet } from '../../shared/rules.schema.js';
import type { NetListener, SandboxProcess, SandboxSpec } from '../sandbox/index.js';
import type { DataPaths } from '../data-dir/index.js';
import type { SecretMask } from './output/mask.js';

/** How a run ended. `exitCode` is what `paddock run` exits with. */
export interface RunResult {
  code: number | null;
  signal: string | null;
  exitCode: number;
  state: 'exited' | 'killed' | 'failed';
}

/** A run whose sandbox is being prepared: it holds the agent's slot, but has no process or result yet. */
export interface StartingRun {
  readonly agent: string;
  readonly run: string;
  readonly state: 'starting';
  network: 'on' | 'off';
  readonly proc?: undefined;
  readonly done?: undefined;
}

/** A started run as the engine tracks it. `state` reads its state machine (run-state.ts). */
export interface ActiveRun {
  agent: string;
  run: string;
  started: Date;
  network: 'on' | 'off';
  /** running or paused while it is tracked; its end state once its processes are gone. */
  readonly state: RunState;
  /** Why the run is paused (a tripwire's reason, or "by the user"); set only while paused. */
  pausedReason?: string;
  proc: SandboxProcess;
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  done: Promise<RunResult>;
}

/** What the run manager holds for an agent: a run being started, or a started one. */
export type RunSlot = StartingRun | ActiveRun;

export interface StartOptions {
  profile: Profile;
  ruleSet: RuleSet;
  /** Replaces the profile's command (`paddock run PROFILE -- CMD…`). */
  command?: string[] | null;
  /** Set when `command` is a wrapper Paddock put around the user's command (the terminal's pty). */
  wrapper?: CommandWrapper;
  stdio: 'inherit' | 'pipe';
  tty?: boolean;
  network: 'on' | 'off';
  /**
   * Keep the run's output in `<data-dir>/agents/<name>/runs/<run>.cast` (pipe mode), or note there
   * that it went to the terminal of `paddock run` (inherit mode). Terminal sessions are not recorded.
   */
  record?: boolean;
  /** Told what the sandbox changes from the profile (also in run.start), before the agent starts. */
  onNotes?: (notes: readonly string[]) => void;
  /** The `PATH` of the terminal that asked for the run (a guest's), protected besides the host's own. */
  userPath?: string;
}

/** A wrapper Paddock puts around the user's command (the terminal session's pty). */
export interface CommandWrapper {
  /** The command the user asked for: what run.start names. */
  command: string[];
  /** The exact argv of the wrapper's own processes: marked as Paddock's helpers (runs/wrapper-helpers.ts). */
  helpers: string[][];
}

/** What the engine adds to a run (egress path, secrets) and undoes after it. */
export interface RunAdditions {
  extraBinds?: SandboxSpec['extraBinds'];
  extraEnv?: Record<string, string>;
  extraPath?: string[];
  extraFiles?: SandboxSpec['extraFiles'];
  wrapCommand?: (command: string[]) => string[];
  /** Secret values delivered to the run, masked in its recorded output. */
  masks?: SecretMask[];
  /** The agent's proxy listener, made inside the sandbox before the agent starts (egress/ns-listener.ts). */
  netListener?: NetListener;
  /** True for Paddock's own helper processes: their `proc.exec` events are marked `paddock: true`. */
  isHelper?: (argv: readonly string[]) => boolean;
  /** Called once the run has started (its sandbox exists). */
  started?: (run: ActiveRun) => void;
  /** Called (synchronously) once every process of the run is gone, before `run.exit` is logged. */
  ended?: () => void;
  /** Called once the run has ended (after `ended`, finishing after `done`), or if it failed to start. */
  teardown?: () => Promise<void>;
}

/** Prepares a run's additions; throwing here means the agent does not start (fail closed). */
export type PrepareRun = (o: { agent: string; run: string; home: string; profile: Profile; ruleSet: RuleSet; network: 'on' | 'off' }) => Promise<RunAdditions>;

export interface RunManagerDeps {
  paths: DataPaths;
  prepare?: PrepareRun;
  userHome: string;
  log(e: NewEvent): void;
  changed(): void;
  /** Told after an agent is frozen / thawed (the proxy refuses a paused agent's new connections). */
  paused?(agent: string): void;
  resumed?(agent: string): void;
  platform?: NodeJS.Platform;
  /** Pre-start the next run's launcher after each run (default false). */
  prestartLaunchers?: boolean;
  /** The folders agents other than this one can write (see runs/writable.ts): links there are refused. */
  othersWritable?(agent: string): string[];
  /** Whether the agent is in learning mode (shown by ps and the UI). */
  learning?(agent: string): boolean;
  /** Denies the agent's pending asks (a run killed while it waits for one to start). */
  cancelAsks?(agent: string): void;
  /** Sets the secret values masked in the agent's events (see runs/event-masks.ts); [] forgets them. */
  secretMasks?(agent: string, masks: readonly SecretMask[]): void;
}
