/** Longest line accepted on the control socket (threat: a client exhausting the host's memory). Zod-free: the CLI's clients load it. */
export const MAX_LINE = 4 * 1024 * 1024;
