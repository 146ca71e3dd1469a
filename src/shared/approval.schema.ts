import { z } from 'zod';

export const APPROVAL_KINDS = ['net', 'action', 'secret'] as const;
/**
 * `once` / `deny`: this ask only (a denial still holds for the rest of the run, issue 16);
 * `allow-run` / `deny-run`: the same target is answered so, without a prompt, until the run ends;
 * `allow-1h` / `deny-1h`: for one hour (held in memory by the engine: a restart forgets it);
 * `always` / `deny-always`: adds a narrow rule.
 */
export const ANSWERS = ['once', 'always', 'deny', 'deny-always', 'allow-run', 'deny-run', 'allow-1h', 'deny-1h'] as const;
export const AnswerSchema = z.enum(ANSWERS);
export type Answer = z.infer<typeof AnswerSchema>;

/** A pending ask, as `paddock approvals --json` prints it. */
export const ApprovalSchema = z.object({
  id: z.string(),
  agent: z.string(),
  kind: z.enum(APPROVAL_KINDS),
  /** host:port, action name or secret name. */
  target: z.string(),
  detail: z.string(),
  /** The rule that asked, as written, or null for a default ask. */
  rule: z.string().nullable().optional(),
  created: z.string(),
  expires: z.string(),
});
export type Approval = z.infer<typeof ApprovalSchema>;

/** True when an answer lets the request through. */
export function answerAllows(a: Answer): boolean {
  return a === 'once' || a === 'always' || a === 'allow-run' || a === 'allow-1h';
}
