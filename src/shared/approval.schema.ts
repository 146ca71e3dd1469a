import { z } from 'zod';

export const APPROVAL_KINDS = ['net', 'action', 'secret'] as const;
export const ANSWERS = ['once', 'always', 'deny', 'deny-always'] as const;
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
