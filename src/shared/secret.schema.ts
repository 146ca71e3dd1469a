import { z } from 'zod';

/** What anyone outside the vault may know about a secret: never its value. */
export const SecretMetaSchema = z.object({
  agent: z.string(),
  name: z.string(),
  as: z.enum(['env', 'file', 'header']).nullable(),
  hosts: z.array(z.string()),
  created: z.string(),
  updated: z.string(),
  lastUsed: z.string().nullable(),
  useCount: z.number().int().nonnegative(),
});
export type SecretMeta = z.infer<typeof SecretMetaSchema>;
