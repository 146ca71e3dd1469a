/**
 * A run's states and the only transitions between them, enforced in one place:
 *
 *   starting → running ⇄ paused → exited | killed
 *   starting → failed
 *
 * `killed` is an end reached when the processes are gone after a kill was asked; any other end
 * of a started run is `exited`. An illegal transition is a bug in Paddock, never a user error.
 */
import type { RunState } from '../../shared/agent.schema.js';
import { PaddockError } from '../../shared/errors.js';

/** A run's state; the same names the API reports (`RunInfo.state`). */
export type RunPhase = RunState;
/** The states of a run whose processes exist. */
export type LivePhase = 'running' | 'paused';
/** The end states. */
export type EndPhase = 'exited' | 'killed' | 'failed';

/** Where each state may go. */
export const RUN_TRANSITIONS: Readonly<Record<RunPhase, readonly RunPhase[]>> = {
  starting: ['running', 'failed'],
  running: ['paused', 'exited', 'killed'],
  paused: ['running', 'exited', 'killed'],
  exited: [],
  killed: [],
  failed: [],
};

/** One run's state machine. */
export class RunLifecycle {
  private phase: RunPhase = 'starting';
  private killAsked = false;

  constructor(readonly run: string) {}

  get state(): RunPhase {
    return this.phase;
  }

  /** True while the run's processes exist (running or paused). */
  get live(): boolean {
    return this.phase === 'running' || this.phase === 'paused';
  }

  /** True once the run has ended (exited, killed or failed to start). */
  get ended(): boolean {
    return RUN_TRANSITIONS[this.phase].length === 0;
  }

  /** Moves to `next`; throws E_INTERNAL when the transition is not allowed. */
  to(next: RunPhase): void {
    if (!RUN_TRANSITIONS[this.phase].includes(next))
      throw new PaddockError('E_INTERNAL', `run ${this.run} cannot go from ${this.phase} to ${next}; this is a bug in Paddock, please report it`);
    this.phase = next;
  }

  /** A kill was sent: the run's end will be `killed`. Only a live run can be killed. */
  requestKill(): void {
    if (!this.live) throw new PaddockError('E_INTERNAL', `run ${this.run} cannot be killed while ${this.phase}; this is a bug in Paddock, please report it`);
    this.killAsked = true;
  }

  /** The run's processes are gone: it ends `killed` when a kill was asked, else `exited`. */
  end(): 'exited' | 'killed' {
    const s = this.killAsked ? 'killed' : 'exited';
    this.to(s);
    return s;
  }
}
