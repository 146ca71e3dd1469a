/**
 * Agents' profiles: parsing and checking (profile.ts, profile-check.ts), editing, the gap report,
 * the instruction file, what-if simulation, and the Claude Code hook. What other parts of the
 * engine use; hosts reach profiles through the command module.
 */
export { renderInstructions } from './instructions.js';
export { installClaudeHook, type GuestOutput, type HookInstallResult, type HookOptions } from './claude-hook.js';
export { decideRecorded, simulateNet } from './simulate.js';
export { unifiedDiff } from './text-diff.js';
export { withRulesAppended } from './profile-edit.js';
