import type { DoctorCheck } from '../../shared/api.js';
import type { Engine } from '../engine.js';
import { doctorChecks } from './doctor.js';
import { sweepStaleCgroups } from '../sandbox/runtime/index.js';
import type { DataPaths } from '../data-dir/index.js';
import { keychainCheck } from '../keychain/index.js';

/** The system verbs: where the data lives, the machine checks, and the engine's lifecycle. */
export function systemVerbs(engine: Engine) {
  return {
    /** The data dir's paths (the host lock, the control socket). */
    paths: engine.paths as Readonly<DataPaths>,
    doctor: (): Promise<DoctorCheck[]> => doctorChecks(engine.paths.root),
    info: (version: string): { version: string; dataDir: string; platform: string } => ({ version, dataDir: engine.paths.root, platform: process.platform }),
    /** The OS keychain as this process sees it. */
    keychainCheck: (): DoctorCheck => keychainCheck(),
    /**
     * Removes empty cgroup folders left by a host killed with SIGKILL; only the lock holder may.
     * Best effort: a leftover empty cgroup costs nothing but clutter.
     */
    sweepStaleCgroups(): void {
      try {
        sweepStaleCgroups();
      } catch {
        /* best effort */
      }
    },
    /** Kills every run and closes the store. */
    close: (): Promise<void> => engine.close(),
    /** Closes an engine that never hosted (its host lock was refused): only its store is open. */
    closeUnhosted: (): void => engine.store.close(),
  };
}
