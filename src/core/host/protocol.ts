import { z } from 'zod';
import { AGENT_NAME_RE } from '../../shared/names.js';
import { AnswerSchema } from '../../shared/approval.schema.js';
import { MAX_LINE } from './wire.js';

// The framing (lines, their limit) and the host's messages live in wire.ts, free of zod, for the
// command line's clients (`paddock ps` loads no schema library).
export { lineReader, MAX_LINE, type HostMessage } from './wire.js';

const Name = z.string().regex(AGENT_NAME_RE, 'not a valid agent name');

/** Control-socket methods and their parameters. */
export const METHODS = {
  hello: z.object({}).strict(),
  ps: z.object({}).strict(),
  pause: z.object({ name: Name }).strict(),
  resume: z.object({ name: Name }).strict(),
  kill: z.object({ name: Name }).strict(),
  killAll: z.object({}).strict(),
  stop: z.object({ name: Name }).strict(),
  net: z.object({ name: Name, on: z.boolean() }).strict(),
  offline: z.object({ offline: z.boolean() }).strict(),
  /** Learning mode (issue 18): the switch, the proposal, accept (with the text reviewed) and discard. */
  learn: z
    .object({ name: Name, action: z.enum(['status', 'on', 'off', 'suggest', 'apply', 'discard']), after: z.string().max(1_000_000).optional() })
    .strict(),
  approvals: z.object({}).strict(),
  /** The keychain check as the host sees it (it runs in the desktop session; a plain shell may not reach its D-Bus). */
  keychain: z.object({}).strict(),
  answer: z.object({ id: z.string().min(1).max(64), answer: AnswerSchema }).strict(),
  /** Start an agent on the host and stream its stdio to this connection (a guest `paddock run`). */
  run: z
    .object({
      yaml: z.string().max(1_000_000),
      source: z.string().max(4096).nullable(),
      command: z.array(z.string().max(65_536)).max(4096).nullable(),
      cwd: z.string().max(4096),
      tty: z.boolean().optional(),
    })
    .strict(),
  /** `paddock shell` with a host running: a terminal session on a pty inside the sandbox, streamed here. */
  shell: z
    .object({
      name: Name,
      command: z.array(z.string().max(65_536)).max(4096).nullable(),
      cols: z.number().int().min(1).max(1000),
      rows: z.number().int().min(1).max(500),
      /** The user's `$SHELL` (only its basename is used, and only if it exists inside). */
      userShell: z.string().max(4096).optional(),
    })
    .strict(),
} as const;
export type Method = keyof typeof METHODS;
export type Params<M extends Method> = z.infer<(typeof METHODS)[M]>;

/** Client → host. `stdin`/`stdinEnd` feed the agent of a `run` request on the same connection. */
export const ClientMessageSchema = z.union([
  z.object({ id: z.number().int().nonnegative(), method: z.string().max(64), params: z.unknown().optional() }).strict(),
  z.object({ id: z.number().int().nonnegative(), stdin: z.string().max(MAX_LINE) }).strict(),
  z.object({ id: z.number().int().nonnegative(), stdinEnd: z.literal(true) }).strict(),
  z.object({ id: z.number().int().nonnegative(), signal: z.enum(['SIGINT', 'SIGTERM']) }).strict(),
  /** Window size of a `shell` session. */
  z.object({ id: z.number().int().nonnegative(), resize: z.object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(500) }).strict() }).strict(),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
