import { z } from 'zod';
import { ANSWERS } from './approval.schema.js';

// The list lives in a module free of zod: the store checks kinds against it, and building this
// file's schemas (~8 ms of CPU) is wasted on an engine start, which never validates with them.
import { EVENT_KINDS } from './event-kinds.js';
export { EVENT_KINDS };
export const EventKindSchema = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKindSchema>;

const base = {
  /** Sequence number in the log, assigned by the store. */
  id: z.number().int().nonnegative(),
  /** ISO 8601 timestamp. */
  ts: z.string(),
  /** The agent's name, or null for events about Paddock itself. */
  agent: z.string().nullable(),
  /** The run this event belongs to, when there is one. */
  run: z.string().nullable().optional(),
};

const netFields = {
  host: z.string(),
  port: z.number().int().min(0).max(65535),
  rule: z.string().nullable(),
  line: z.number().int().positive().nullable(),
  reason: z.string(),
  address: z.string().nullable().optional(),
  bytesUp: z.number().int().nonnegative().optional(),
  bytesDown: z.number().int().nonnegative().optional(),
  durationMs: z.number().nonnegative().optional(),
  count: z.number().int().positive().optional(),
};

export const EventSchema = z.discriminatedUnion('kind', [
  z.looseObject({ ...base, kind: z.literal('run.start'), command: z.array(z.string()).optional(), enforcement: z.record(z.string(), z.string()).optional(), warnings: z.array(z.string()).optional() }),
  z.looseObject({ ...base, kind: z.literal('run.exit'), code: z.number().int().nullable(), signal: z.string().nullable() }),
  z.looseObject({ ...base, kind: z.literal('proc.exec'), pid: z.number().int(), argv: z.array(z.string()) }),
  z.looseObject({ ...base, kind: z.literal('fs.change'), path: z.string(), change: z.string().optional(), count: z.number().int().optional() }),
  z.looseObject({ ...base, kind: z.literal('net.allow'), ...netFields }),
  z.looseObject({ ...base, kind: z.literal('net.deny'), ...netFields }),
  z.looseObject({ ...base, kind: z.literal('net.ask'), ...netFields }),
  z.looseObject({ ...base, kind: z.literal('net.error'), ...netFields, error: z.string() }),
  ...(['action.allow', 'action.deny', 'action.ask'] as const).map((k) =>
    z.looseObject({ ...base, kind: z.literal(k), action: z.string(), detail: z.string().optional(), rule: z.string().nullable(), line: z.number().int().positive().nullable(), reason: z.string() }),
  ),
  z.looseObject({ ...base, kind: z.literal('secret.use'), name: z.string(), as: z.enum(['env', 'file', 'header']), host: z.string().nullable() }),
  z.looseObject({ ...base, kind: z.literal('approval.request'), id: z.number().int().nonnegative(), approval: z.string(), target: z.string().optional(), what: z.string().optional() }),
  z.looseObject({ ...base, kind: z.literal('approval.answer'), approval: z.string(), answer: z.enum([...ANSWERS, 'timeout']) }),
  z.looseObject({ ...base, kind: z.literal('agent.pause'), reason: z.string().optional() }),
  z.looseObject({ ...base, kind: z.literal('agent.resume') }),
  z.looseObject({ ...base, kind: z.literal('agent.kill'), reason: z.string().optional() }),
  z.looseObject({ ...base, kind: z.literal('agent.stop'), reason: z.string().optional() }),
  z.looseObject({ ...base, kind: z.literal('rule.change'), rule: z.string(), change: z.enum(['add', 'remove', 'replace']).optional() }),
  z.looseObject({ ...base, kind: z.literal('alert'), type: z.string(), message: z.string() }),
]);
export type PaddockEvent = z.infer<typeof EventSchema>;

/** An event before the store has given it an id and a timestamp. */
export type NewEvent = { kind: EventKind; agent: string | null; run?: string | null; ts?: string } & Record<string, unknown>;

/** Alert types raised by the tripwires. */
export const ALERT_TYPES = ['private-probe', 'ssh-egress', 'denied-burst', 'cpu-sustained', 'control-plane', 'secret-exfil', 'sandbox', 'proxy', 'store', 'ask-flood', 'decoy-read', 'log'] as const;
