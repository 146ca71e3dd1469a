/**
 * Learning mode (issue 18): what the egress proxy may allow while learning. The switch and the
 * proposal (state.ts, offline.ts) are reached through the command module only (src/core/commands/learn.ts).
 */
export { learnableName, learnDecision } from './decide.js';
