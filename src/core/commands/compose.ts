import { createEngine, type Engine, type EngineDeps } from '../engine.js';
import { activityVerbs } from './activity.js';
import { approvalVerbs } from './approvals.js';
import { learnVerbs } from './learn.js';
import { networkVerbs } from './network.js';
import { profileVerbs } from './profiles.js';
import { runVerbs } from './runs.js';
import { systemVerbs } from './system.js';
import { terminalVerbs } from './terminal.js';
import { vaultVerbs } from './vault.js';

/** Builds the engine's public face over one engine: every verb a host may call, and nothing else. */
function verbsOver(engine: Engine) {
  return {
    ...runVerbs(engine),
    ...networkVerbs(engine),
    ...approvalVerbs(engine),
    ...profileVerbs(engine),
    ...vaultVerbs(engine),
    ...activityVerbs(engine),
    ...systemVerbs(engine),
    ...terminalVerbs(engine),
    ...learnVerbs(engine),
  };
}

/**
 * The engine's verbs: start, stop, pause, resume, kill, killAll, setNetwork, setAllOffline, answer,
 * saveProfile, checkProfile, setSecret, … Each validates, acts and announces its own change (see
 * `on`). The engine's parts (runs, store, egress, approvals, bus) are not reachable from here.
 */
export type Paddock = Readonly<ReturnType<typeof verbsOver>>;

const engines = new WeakMap<Paddock, Engine>();

/** The verbs over an engine (the engine stays private to core; tests reach it with {@link engineOf}). */
export function paddockOver(engine: Engine): Paddock {
  const p: Paddock = Object.freeze(verbsOver(engine));
  engines.set(p, engine);
  return p;
}

/** Creates the engine for a host and returns its verbs: the one composition root of every host. */
export async function createPaddock(deps: EngineDeps): Promise<Paddock> {
  return paddockOver(await createEngine(deps));
}

/** The engine behind the verbs: for core's own tests only (hosts never get it; lint keeps them out of this file). */
export function engineOf(p: Paddock): Engine {
  const e = engines.get(p);
  if (!e) throw new Error('not a Paddock made by createPaddock');
  return e;
}
