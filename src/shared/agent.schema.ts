import { z } from 'zod';

export const RUN_STATES = ['starting', 'running', 'paused', 'exited', 'killed', 'failed'] as const;
export const RunStateSchema = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunStateSchema>;

/** An agent as stored: its name, its profile (YAML text) and bookkeeping. */
export const AgentSchema = z.object({
  name: z.string(),
  /** The profile as YAML text (the source of truth, importable and exportable). */
  profile: z.string(),
  /** Where the profile was last imported from, if anywhere. */
  source: z.string().nullable(),
  created: z.string(),
  updated: z.string(),
});
export type Agent = z.infer<typeof AgentSchema>;

/** One live run as `ps` shows it. */
export const RunInfoSchema = z.object({
  agent: z.string(),
  run: z.string(),
  state: RunStateSchema,
  pids: z.array(z.number().int()),
  cpu: z.number().nonnegative(),
  memory: z.number().int().nonnegative(),
  started: z.string(),
  network: z.enum(['on', 'off']),
  /** While paused: why (a tripwire's reason, or "by the user"). */
  pausedReason: z.string().optional(),
  /** True while the agent is in learning mode (issue 18): asks for public hosts are allowed and recorded. */
  learning: z.boolean().optional(),
});
export type RunInfo = z.infer<typeof RunInfoSchema>;
