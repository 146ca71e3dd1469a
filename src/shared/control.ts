import { z } from 'zod';
import { API, type Channel, type ChannelInput, type ChannelResult, type DoctorCheck } from './api.js';
import type { LearnApplied, LearnProposal, LearnState } from './learn.js';
import { AGENT_NAME_RE } from './names.js';

import { MAX_LINE } from './control-limits.js';

export { MAX_LINE };

const Name = z.string().regex(AGENT_NAME_RE, 'not a valid agent name');

/** A method's parameter schema, built on first use (a host that no client calls never needs it). */
function method<I extends z.ZodType>(make: () => I): { readonly input: I } {
  let input: I | undefined;
  return {
    get input(): I {
      return (input ??= make());
    },
  };
}

/**
 * The control socket's own methods, beside the API map it also carries: who the host is, its
 * keychain, and the two streaming methods (a guest `paddock run` and `paddock shell`).
 */
export const HOST_METHODS = {
  hello: method(() => z.object({}).strict()),
  /** The keychain check as the host sees it (it runs in the desktop session; a plain shell may not reach its D-Bus). */
  keychain: method(() => z.object({}).strict()),
  /** Learning mode (issue 18) in one call: the switch, the proposal, accept (with the text reviewed) and discard. */
  learn: method(() =>
    z.object({ name: Name, action: z.enum(['status', 'on', 'off', 'suggest', 'apply', 'discard']), after: z.string().max(1_000_000).optional() }).strict(),
  ),
  /** Start an agent on the host and stream its stdio to this connection (a guest `paddock run`). */
  run: method(() =>
    z
      .object({
        yaml: z.string().max(1_000_000),
        source: z.string().max(4096).nullable(),
        command: z.array(z.string().max(65_536)).max(4096).nullable(),
        cwd: z.string().max(4096),
        tty: z.boolean().optional(),
        /**
         * The guest's PADDOCK_VAULT_PASSPHRASE, used only when the agent's secrets find the host's
         * passphrase vault locked (PRODUCT.md: the passphrase is taken from that variable).
         */
        vaultPassphrase: z.string().min(1).max(1024).optional(),
        /** The guest's `PATH`: its folders inside writable grants are read-only too (the host's own `PATH` may differ). */
        userPath: z.string().max(65_536).optional(),
      })
      .strict(),
  ),
  /** `paddock shell` with a host running: a terminal session on a pty inside the sandbox, streamed here. */
  shell: method(() =>
    z
      .object({
        name: Name,
        command: z.array(z.string().max(65_536)).max(4096).nullable(),
        cols: z.number().int().min(1).max(1000),
        rows: z.number().int().min(1).max(500),
        /** The user's `$SHELL` (only its basename is used, and only if it exists inside). */
        userShell: z.string().max(4096).optional(),
      })
      .strict(),
  ),
} as const;
export type HostMethod = keyof typeof HOST_METHODS;

/** Methods whose handler streams (it sends the final message itself). */
export const STREAMING_METHODS: readonly HostMethod[] = ['run', 'shell'];

/** Results of the host's own (non-streaming) methods. */
export interface HostMethodResults {
  hello: { pid: number; version: string; dataDir: string; host: string };
  keychain: DoctorCheck;
  learn: { state: LearnState; proposal?: LearnProposal; applied?: LearnApplied };
  run: null;
  shell: null;
}

/** Everything the control socket answers: the API map's channels plus the host's own methods. */
export type ControlMethod = Channel | HostMethod;
export type ControlParams<M extends ControlMethod> = M extends Channel ? ChannelInput<M> : M extends HostMethod ? z.input<(typeof HOST_METHODS)[M]['input']> : never;
export type ControlResult<M extends ControlMethod> = M extends Channel ? ChannelResult<M> : M extends HostMethod ? HostMethodResults[M] : never;

/** The control socket's map (name → input schema): the API map plus the host's methods. */
export const CONTROL_MAP = { ...API, ...HOST_METHODS };

/** Client → host. `stdin`/`stdinEnd` feed the agent of a `run` request on the same connection. */
const buildClientMessage = () =>
  z.union([
    z.object({ id: z.number().int().nonnegative(), method: z.string().max(64), params: z.unknown().optional() }).strict(),
    z.object({ id: z.number().int().nonnegative(), stdin: z.string().max(MAX_LINE) }).strict(),
    z.object({ id: z.number().int().nonnegative(), stdinEnd: z.literal(true) }).strict(),
    z.object({ id: z.number().int().nonnegative(), signal: z.enum(['SIGINT', 'SIGTERM']) }).strict(),
    /** Window size of a `shell` session. */
    z.object({ id: z.number().int().nonnegative(), resize: z.object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(500) }).strict() }).strict(),
  ]);
let clientMessage: ReturnType<typeof buildClientMessage> | undefined;
/** The schema of a client's message, built on first use (at a host's first connection). */
export function clientMessageSchema(): ReturnType<typeof buildClientMessage> {
  return (clientMessage ??= buildClientMessage());
}
export type ClientMessage = z.infer<ReturnType<typeof buildClientMessage>>;
