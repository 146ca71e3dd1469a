import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import type { SecretDecl } from '../../shared/profile.schema.js';
import type { SecretMeta } from '../../shared/secret.schema.js';
import { zero } from './crypto.js';
import { newPlaceholder, type HeaderBinding } from './inject.js';

/** A file that exists only inside the sandbox (SandboxSpec.extraFiles). */
export interface SecretFile {
  dest: string;
  content: Buffer;
  mode: number;
}

/** Everything a run delivers. `headers` holds real values: it goes to the egress proxy only. */
export interface RunSecrets {
  env: Record<string, string>;
  files: SecretFile[];
  headers: HeaderBinding[];
  /** Declared secrets that have no value. Always empty: resolveForRun throws E_SECRET_MISSING instead. */
  missing: string[];
  /** Declared secrets that `deny`/`ask secret` rules kept from the agent. */
  denied: string[];
}

/** How a run asks: the agent's home (for `file` secrets) and the rules' verdict per secret. */
export interface ResolveOptions {
  /** The agent's home as seen inside the sandbox (absolute). */
  home: string;
  /** `deny secret NAME` / `ask secret NAME`: resolves 'deny' to withhold (default: allow all). */
  decide?: (name: string) => Promise<'allow' | 'deny'>;
  /** The run the secrets are delivered to (its `secret.use` events name it). */
  run?: string;
}

/** The vault operations delivery needs, bound to one agent. */
export interface DeliverySource {
  agent: string;
  list(): SecretMeta[];
  get(name: string): Promise<Buffer>;
  recordUse(name: string, as: SecretDecl['as']): void;
  updateDelivery(name: string, as: SecretDecl['as'], hosts: string[]): void;
}

/**
 * Variables the sandbox contract owns (threat: a secret named PATH, HOME or HTTPS_PROXY taking over
 * the agent's environment, e.g. routing around the egress proxy or trusting another CA bundle).
 */
export const RESERVED_ENV = new Set([
  'PATH', 'HOME', 'USER', 'LANG', 'TERM', 'TZ', 'PADDOCK_AGENT',
  'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'GIT_SSL_CAINFO', 'CURL_CA_BUNDLE',
  'LD_PRELOAD', 'LD_LIBRARY_PATH',
]);

// Threat: CR/LF in a header value splitting the upstream request (header injection).
const HEADER_SAFE = /^[\x20-\x7e\t]*$/;

/**
 * Resolves a run's declared secrets into deliveries. Checks every declared secret has a value
 * before asking or unlocking anything (an agent without secrets never touches the keychain).
 */
export async function resolveDeliveries(src: DeliverySource, decls: readonly SecretDecl[], opts: ResolveOptions): Promise<RunSecrets> {
  const out: RunSecrets = { env: {}, files: [], headers: [], missing: [], denied: [] };
  if (decls.length === 0) return out;
  if (!path.isAbsolute(opts.home)) throw new PaddockError('E_INVALID_INPUT', `the agent's home ${opts.home} must be an absolute path`);
  for (const d of decls) {
    if (d.as !== 'file' && RESERVED_ENV.has(d.name))
      throw new PaddockError('E_PROFILE_INVALID', `secret ${d.name} cannot be delivered as ${d.as}: the variable is reserved by the sandbox; rename the secret or deliver it as: file`);
  }
  const have = new Map(src.list().map((m) => [m.name, m]));
  const missing = decls.filter((d) => !have.has(d.name)).map((d) => d.name);
  if (missing.length > 0)
    throw new PaddockError(
      'E_SECRET_MISSING',
      `agent ${src.agent} declares secret${missing.length === 1 ? '' : 's'} with no value: ${missing.join(', ')}; set ${missing.length === 1 ? 'it' : 'each'} with paddock secret set ${src.agent} NAME (value on stdin)`,
    );
  const allowed: SecretDecl[] = [];
  for (const d of decls) {
    if (opts.decide && (await opts.decide(d.name)) !== 'allow') out.denied.push(d.name);
    else allowed.push(d);
  }
  for (const d of allowed) {
    const value = await src.get(d.name);
    try {
      if (d.as === 'file') {
        out.files.push({ dest: path.join(opts.home, '.secrets', d.name), content: Buffer.from(value), mode: 0o400 });
      } else {
        const text = value.toString('utf8');
        if (text.includes('\0') || !Buffer.from(text, 'utf8').equals(value))
          throw new PaddockError('E_VAULT', `secret ${d.name} of agent ${src.agent} is binary (not UTF-8 text without NUL): deliver it as: file`);
        if (d.as === 'env') out.env[d.name] = text;
        else {
          if (!HEADER_SAFE.test(text))
            throw new PaddockError('E_VAULT', `secret ${d.name} of agent ${src.agent} contains control characters or non-ASCII, which cannot go in an HTTP header: set it again without them`);
          const placeholder = newPlaceholder();
          out.env[d.name] = placeholder;
          out.headers.push({ name: d.name, hosts: [...(d.hosts ?? [])], header: d.header ?? 'Authorization: Bearer {}', placeholder, value: text });
        }
      }
    } finally {
      zero(value);
    }
  }
  for (const d of allowed) {
    const meta = have.get(d.name)!;
    const hosts = d.hosts ?? [];
    if (meta.as !== d.as || JSON.stringify(meta.hosts) !== JSON.stringify(hosts)) src.updateDelivery(d.name, d.as, hosts);
    // Every delivery is on the record; a header secret is recorded again at each injection (with its host).
    src.recordUse(d.name, d.as);
  }
  return out;
}
