/**
 * Runs: the run manager, a run's preparation, launch and state, its output and its quarantine.
 * Hosts drive runs through the command module's verbs; other parts of the engine see only this.
 */
export type { CommandWrapper, RunResult } from './types.js';
