import { z } from 'zod';
import { AGENT_NAME_RE, SECRET_NAME_RE } from './names.js';

export const FOLDER_ACCESS = ['ro', 'rw', 'copy'] as const;
export const SECRET_DELIVERY = ['env', 'file', 'header'] as const;

export const FolderSchema = z.strictObject({
  path: z.string().min(1, 'path must not be empty'),
  access: z.enum(FOLDER_ACCESS, { message: 'access must be one of ro, rw, copy' }),
});
export type Folder = z.infer<typeof FolderSchema>;

export const SecretDeclSchema = z
  .strictObject({
    name: z.string().regex(SECRET_NAME_RE, 'secret name must be letters, digits, _ . - and start with a letter or _'),
    as: z.enum(SECRET_DELIVERY, { message: 'as must be one of env, file, header' }),
    hosts: z.array(z.string().min(1)).optional(),
    header: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    if (s.as === 'header') {
      if (!s.hosts || s.hosts.length === 0)
        ctx.addIssue({ code: 'custom', path: ['hosts'], message: 'a header secret needs hosts: [..] to bind it to' });
      if (!s.header || !s.header.includes('{}'))
        ctx.addIssue({ code: 'custom', path: ['header'], message: 'a header secret needs header: "Name: ...{}..." with {} where the value goes' });
      else if (!/^[A-Za-z0-9-]+:\s*\S/.test(s.header))
        ctx.addIssue({ code: 'custom', path: ['header'], message: 'header must look like "Name: value with {}"' });
    } else if (s.hosts !== undefined || s.header !== undefined) {
      ctx.addIssue({ code: 'custom', path: [s.hosts !== undefined ? 'hosts' : 'header'], message: `hosts and header only apply to as: header (this secret is as: ${s.as})` });
    }
  });
export type SecretDecl = z.infer<typeof SecretDeclSchema>;

/** Sizes: a number of bytes or `512MiB`, `2GiB`, `1.5G`, `100MB`, `64k`. */
export const SIZE_RE = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*$/i;

export const LimitsSchema = z.strictObject({
  memory: z
    .union([z.number().int().positive(), z.string().regex(SIZE_RE, 'memory must be a size such as 512MiB or 2GiB')])
    .optional(),
  processes: z.number().int().min(1, 'processes must be at least 1').max(1_000_000).optional(),
  cpu: z.number().positive('cpu must be a positive number of cores').max(1024).optional(),
});
export type Limits = z.infer<typeof LimitsSchema>;

export const ApprovalsConfigSchema = z.strictObject({
  timeout: z.number().int().min(1, 'timeout must be at least 1 second').max(86_400, 'timeout must be at most 86400 seconds (a day)'),
});

/** network: on | off. YAML 1.1 readers turn `on` into true, so booleans are accepted too. */
export const NetworkSwitchSchema = z.union([z.enum(['on', 'off']), z.boolean()]).transform((v) => (v === true || v === 'on' ? 'on' : 'off'));

/** The YAML profile exactly as PRODUCT.md specifies. Unknown keys are errors. */
export const ProfileSchema = z.strictObject({
  name: z.string().regex(AGENT_NAME_RE, 'name must match ^[a-z][a-z0-9-]{0,39}$ (lower-case letters, digits and -, starting with a letter)'),
  command: z.union([z.array(z.string()).min(1, 'command must not be empty'), z.string().min(1)]).optional(),
  workspace: z.string().min(1).optional(),
  folders: z.array(FolderSchema).optional(),
  network: NetworkSwitchSchema.optional(),
  rules: z.string().optional(),
  secrets: z.array(SecretDeclSchema).optional(),
  limits: LimitsSchema.optional(),
  approvals: ApprovalsConfigSchema.optional(),
});
export type ProfileInput = z.input<typeof ProfileSchema>;

/** A validated profile with defaults applied and `~` expanded. */
export interface Profile {
  name: string;
  command: string[];
  /** Absolute host path, or null for the default `<data-dir>/agents/<name>/workspace`. */
  workspace: string | null;
  folders: Folder[];
  network: 'on' | 'off';
  /** The rule text as written. */
  rules: string;
  /** Line in the profile file where the rule text starts (line of the first rule line), for mapping. */
  rulesLine: number;
  secrets: SecretDecl[];
  limits: { memory: number | null; processes: number | null; cpu: number | null };
  approvals: { timeout: number };
}

export { DEFAULT_APPROVAL_TIMEOUT_S } from './profile-defaults.js';
