import type { LearnApplied, LearnProposal, LearnState } from '../../shared/learn.js';
import type { Engine } from '../engine.js';
import { describeTransitions } from '../agents/simulate.js';
import { storeLearnDeps } from './learn-offline.js';
import { applyProposal, discardPeriod, learnAction, learnState, setLearning, suggest, type LearnAction } from '../learn/state.js';
import { ensureDataDir, openStore, type DataPaths } from '../store/index.js';

export { describeTransitions };
export type { LearnAction };

/** Learning mode without a running host (`paddock learn` from a plain shell): the store alone; the switch applies at the next start. */
export function learnOffline(paths: DataPaths, name: string, action: LearnAction): ReturnType<typeof learnAction> {
  ensureDataDir(paths.root);
  const store = openStore(paths.db);
  try {
    return learnAction(storeLearnDeps(store, paths), name, action);
  } finally {
    store.close();
  }
}

/** Learning mode's verbs (issue 18): the switch, the proposal, accept (with the text reviewed) and discard. */
export function learnVerbs(engine: Engine) {
  return {
    learnState: (name: string): LearnState => learnState(engine.learnDeps, name),
    /** The agents in learning mode (the tray marks them). */
    learningAgents: (): string[] => engine.store.agents.learningAgents(),
    /** Turns learning on or off; live on a running agent (its proxy announces `runs`). */
    setLearning: (name: string, on: boolean): LearnState => setLearning(engine.learnDeps, name, on),
    suggestRules: (name: string): LearnProposal => suggest(engine.learnDeps, name),
    /** Writes the reviewed proposal into the profile (refused when the proposal changed since). Announces `runs`. */
    applyProposal(name: string, after: string): LearnApplied {
      const r = applyProposal(engine.learnDeps, name, after);
      engine.bus.emit('runs');
      return r;
    },
    discardLearning: (name: string): LearnState => discardPeriod(engine.learnDeps, name),
    /** The CLI's one-call form (`paddock learn NAME on|off|--suggest|--apply|--discard`). */
    learn: (name: string, action: LearnAction, after?: string) => learnAction(engine.learnDeps, name, action, after),
  };
}
