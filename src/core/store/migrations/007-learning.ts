/**
 * Migration 7: learning mode (issue 18 part 1). `learn_from` is the id of the event that turned
 * learning on (null: no learning period kept); `learn_to` the id of the one that turned it off
 * (null while the agent is learning). The period's events make the proposal.
 */
export const migration007 = {
  version: 7,
  up: /* sql */ `
ALTER TABLE agents ADD COLUMN learn_from INTEGER;
ALTER TABLE agents ADD COLUMN learn_to INTEGER;
`,
};
