import { z } from 'zod';
import type { Agent, RunInfo } from './agent.schema.js';
import { AnswerSchema, type Approval } from './approval.schema.js';
import type { PaddockEvent } from './events.schema.js';
import type { Diagnostic } from './errors.js';
import type { SecretMeta } from './secret.schema.js';
import { AGENT_NAME_RE, SECRET_NAME_RE } from './names.js';

const AgentName = z.string().regex(AGENT_NAME_RE, 'not a valid agent name');
const SecretName = z.string().regex(SECRET_NAME_RE, 'not a valid secret name');

/** A gap-report finding: what the agent can still do that no rule addresses. */
export interface GapFinding {
  severity: 'high' | 'medium' | 'low' | 'info';
  code: string;
  message: string;
  /** A rule (or profile change) that would close the gap, if there is one. */
  suggestion: string | null;
}

export interface ProfileCheck {
  ok: boolean;
  diagnostics: Diagnostic[];
  gaps: GapFinding[];
  instructions: string | null;
}

export interface DoctorCheck {
  id: string;
  ok: boolean;
  /** What enforces what, or what is missing. */
  message: string;
  /** How to fix it, when not ok. */
  fix: string | null;
}

/** Declares one channel: its zod input schema and its result type. */
function channel<I extends z.ZodType, R>(input: I): { input: I; result: R } {
  return { input, result: undefined as unknown as R };
}

/**
 * The API the renderer calls: `domain:verb` → input schema + result type.
 * The Electron preload, the web console bridge and the engine handlers are all built from this map.
 */
export const API = {
  'agents:list': channel<z.ZodVoid, Agent[]>(z.void()),
  'agents:get': channel<z.ZodObject<{ name: typeof AgentName }>, Agent>(z.object({ name: AgentName })),
  'agents:save': channel<z.ZodObject<{ yaml: z.ZodString }>, Agent>(z.object({ yaml: z.string().max(1_000_000) })),
  'agents:delete': channel<z.ZodObject<{ name: typeof AgentName }>, void>(z.object({ name: AgentName })),
  'agents:check': channel<z.ZodObject<{ yaml: z.ZodString }>, ProfileCheck>(z.object({ yaml: z.string().max(1_000_000) })),
  'runs:list': channel<z.ZodVoid, RunInfo[]>(z.void()),
  'runs:start': channel<z.ZodObject<{ name: typeof AgentName }>, RunInfo>(z.object({ name: AgentName })),
  'runs:pause': channel<z.ZodObject<{ name: typeof AgentName }>, void>(z.object({ name: AgentName })),
  'runs:resume': channel<z.ZodObject<{ name: typeof AgentName }>, void>(z.object({ name: AgentName })),
  'runs:stop': channel<z.ZodObject<{ name: typeof AgentName }>, void>(z.object({ name: AgentName })),
  'runs:kill': channel<z.ZodObject<{ name: typeof AgentName }>, void>(z.object({ name: AgentName })),
  'runs:killAll': channel<z.ZodVoid, void>(z.void()),
  'net:set': channel<z.ZodObject<{ name: typeof AgentName; on: z.ZodBoolean }>, void>(z.object({ name: AgentName, on: z.boolean() })),
  'net:setAllOffline': channel<z.ZodObject<{ offline: z.ZodBoolean }>, void>(z.object({ offline: z.boolean() })),
  'activity:query': channel<
    z.ZodObject<{ agent: z.ZodOptional<typeof AgentName>; kind: z.ZodOptional<z.ZodString>; before: z.ZodOptional<z.ZodNumber>; limit: z.ZodOptional<z.ZodNumber> }>,
    PaddockEvent[]
  >(
    z.object({
      agent: AgentName.optional(),
      kind: z.string().max(64).optional(),
      before: z.number().int().nonnegative().optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
    }),
  ),
  'activity:verify': channel<z.ZodVoid, { ok: boolean; count: number; firstBad: number | null; message: string }>(z.void()),
  'approvals:list': channel<z.ZodVoid, Approval[]>(z.void()),
  'approvals:answer': channel<z.ZodObject<{ id: z.ZodString; answer: typeof AnswerSchema }>, void>(
    z.object({ id: z.string().min(1).max(64), answer: AnswerSchema }),
  ),
  'vault:list': channel<z.ZodObject<{ agent: typeof AgentName }>, SecretMeta[]>(z.object({ agent: AgentName })),
  /** Write-only: the value goes in, never comes back out. */
  'vault:setSecret': channel<z.ZodObject<{ agent: typeof AgentName; name: typeof SecretName; value: z.ZodString }>, void>(
    z.object({ agent: AgentName, name: SecretName, value: z.string().max(65_536) }),
  ),
  'vault:removeSecret': channel<z.ZodObject<{ agent: typeof AgentName; name: typeof SecretName }>, void>(
    z.object({ agent: AgentName, name: SecretName }),
  ),
  'system:doctor': channel<z.ZodVoid, DoctorCheck[]>(z.void()),
  'system:info': channel<z.ZodVoid, { version: string; dataDir: string; platform: string }>(z.void()),
} as const;

export type ApiMap = typeof API;
export type Channel = keyof ApiMap;
export type ChannelInput<C extends Channel> = z.input<ApiMap[C]['input']>;
export type ChannelResult<C extends Channel> = ApiMap[C]['result'];

/** Push events from the engine to the UI. */
export const API_EVENTS = ['activity:appended', 'approvals:changed', 'runs:changed'] as const;
export type ApiEvent = (typeof API_EVENTS)[number];

/** The typed object the renderer uses (built by the preload or the console bridge). */
export type PaddockApi = {
  [C in Channel]: (input: ChannelInput<C>) => Promise<ChannelResult<C>>;
} & {
  on(event: ApiEvent, listener: (payload: unknown) => void): () => void;
};
