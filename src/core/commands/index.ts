/**
 * The engine's public face: the only module hosts (the desktop app and its tray, `paddock serve`,
 * a foreground `paddock run`/`shell`, the control socket) and the API adapter may import from core.
 * A verb enters here, is decided by the engine's parts behind it, and is announced by the verb
 * itself (`on('runs' | 'approvals' | 'event')`). See docs/ARCHITECTURE.md.
 */
export { createPaddock, type Paddock } from './compose.js';
export { cpuAlertFromEnv, DEFAULT_CPU_ALERT, type CpuAlertSettings, type EngineDeps, type LoadedProfile } from '../engine.js';
export { alertPauseFromEnv, type AlertPauseSettings } from '../egress/index.js';
export { reasonFrom, type StartedRun, type Surface } from './runs.js';
export { notPending, type AnswerApplied } from './approvals.js';
export { describeTransitions, learnOffline, type LearnAction } from './learn.js';
export { checkProfile as checkProfileText, EDITOR_FILE } from '../agents/profile-check.js';
export type { KeychainProbe } from './vault.js';
export type { EngineAnnouncement } from './activity.js';
export type { AnswerSurface } from '../egress/approvals.js';
export type { ApprovalOutcome } from '../egress/types.js';
export type { DataPaths } from '../data-dir/index.js';
export type { TerminalSessions, TerminalSession, Attachment, TerminalSessionInfo, TerminalViewer, OpenTerminalOptions } from '../terminal/index.js';
export { MAX_TERMINAL_SESSIONS } from '../terminal/index.js';
export type { GuestOutput, GuestRunner } from '../agents/claude-hook.js';
// What `paddock hook install` and `paddock keygen` run inside an agent's sandbox through a guest runner.
export { installClaudeHook, QUIET_ENV } from '../agents/claude-hook.js';
export { keygenResult, keygenScript } from '../terminal/keygen.js';

// What hosts need around the verbs (no engine state): the terminal's passphrase prompt, the default
// shell and the login recipes' text for `paddock shell`, where the built UI lives, and a bounded
// request-body reader for the console's HTTP transport.
export { ttyPassphrasePrompt } from '../vault/tty-prompt.js';
export { defaultShellCommand } from '../terminal/index.js';
export { formatLoginRecipes } from '../agents/login-recipes.js';
export { packageRoot } from '../native.js';
export { registerConsole } from '../data-dir/index.js';
export { readBody } from '../http/read-body.js';
