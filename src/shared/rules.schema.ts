import { z } from 'zod';

export const EFFECTS = ['allow', 'deny', 'ask'] as const;
export const RULE_KINDS = ['net', 'read', 'write', 'exec', 'secret', 'action'] as const;
export const EffectSchema = z.enum(EFFECTS);
export const RuleKindSchema = z.enum(RULE_KINDS);
export type Effect = z.infer<typeof EffectSchema>;
export type RuleKind = z.infer<typeof RuleKindSchema>;

/** One enforced rule as parsed from the rule text. `line`/`col` are 1-based, in the rule text. */
export const RuleSchema = z.object({
  effect: EffectSchema,
  kind: RuleKindSchema,
  pattern: z.string().min(1),
  /** The rule as written, normalised to single spaces: `deny net evil.test`. */
  text: z.string(),
  line: z.number().int().positive(),
  col: z.number().int().positive(),
});
export type Rule = z.infer<typeof RuleSchema>;

/** A `do` / `dont` line: advisory, told to the agent, never enforced. */
export const AdvisorySchema = z.object({
  type: z.enum(['do', 'dont']),
  text: z.string(),
  line: z.number().int().positive(),
});
export type Advisory = z.infer<typeof AdvisorySchema>;

export const RuleSetSchema = z.object({
  rules: z.array(RuleSchema),
  advisories: z.array(AdvisorySchema),
});
export type RuleSet = z.infer<typeof RuleSetSchema>;

/** The outcome of evaluating a request against the rules. */
export const DecisionSchema = z.object({
  effect: EffectSchema,
  /** The deciding rule's text, or null for a default decision. */
  rule: z.string().nullable(),
  /** The deciding rule's line (in the profile file or rule editor), or null for a default. */
  line: z.number().int().positive().nullable(),
  /** A short human reason: "matched deny net evil.test", "default: net is denied". */
  reason: z.string(),
});
export type Decision = z.infer<typeof DecisionSchema>;
