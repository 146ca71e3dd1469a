import type { DecoyList } from '../../shared/api.js';
import type { Engine } from '../engine.js';
import { listDecoys } from './place.js';
import { decoyWatchMode } from './watch.js';

/** The Vault tab's view of an agent's decoys. */
export function decoyList(engine: Engine, name: string): DecoyList {
  return {
    on: engine.store.agents.decoys(name) === true,
    watch: decoyWatchMode(),
    files: listDecoys(engine.paths.agentDir(name), engine.paths.agentHome(name)),
  };
}
