/**
 * What a profile means where it says nothing: one source for the engine (which applies the
 * defaults when it parses a profile) and the renderer (which shows a profile being edited).
 * Pure values: no Node, no DOM.
 */

/** The command run when a profile names none: an interactive login shell in the workspace. */
export const DEFAULT_COMMAND: readonly string[] = ['bash', '-l'];

/** The network switch when a profile does not set `network:` (fail closed). */
export const DEFAULT_NETWORK = 'off' as const;

/** Largest profile accepted. Threat: a huge file making `check` or the engine hang. */
export const MAX_PROFILE_BYTES = 256 * 1024;

/** Seconds an ask waits for an answer when the profile sets no `approvals: { timeout }`. */
export const DEFAULT_APPROVAL_TIMEOUT_S = 60;
