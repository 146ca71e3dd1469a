import type { SandboxSpec } from './spec.js';

/** System directories on PATH inside, after Paddock's helpers' dirs and the agent's own `~/.local/bin`. */
export const SYSTEM_PATH = ['/usr/local/bin', '/usr/local/sbin', '/usr/bin', '/usr/sbin', '/bin', '/sbin'];

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Identity variables that extraEnv (e.g. a secret named HOME) must never override. */
const FIXED = new Set(['HOME', 'USER', 'PADDOCK_AGENT']);

/** PATH directories inside the sandbox, in order. */
export function sandboxPathDirs(spec: Pick<SandboxSpec, 'home' | 'extraPath'>): string[] {
  // Threat: a `paddock-ask` the agent planted in its own ~/.local/bin answering every later ask
  // "approved"; Paddock's read-only helper dirs come first, so their names cannot be shadowed.
  return [...(spec.extraPath ?? []), `${spec.home}/.local/bin`, ...SYSTEM_PATH];
}

/**
 * The environment inside the sandbox: exactly the contract variables (PRODUCT.md "Inside a
 * sandbox") plus `extraEnv`. Never reads the host's environment.
 */
export function sandboxEnv(
  spec: Pick<SandboxSpec, 'agent' | 'home' | 'extraPath' | 'extraEnv' | 'lang' | 'term' | 'tz'>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.extraEnv ?? {})) {
    // Threat: a variable name with '=' or NUL would smuggle a second variable through bwrap.
    if (!ENV_NAME_RE.test(k) || v.includes('\0') || FIXED.has(k)) continue;
    env[k] = v;
  }
  env.PATH ??= sandboxPathDirs(spec).join(':');
  env.HOME = spec.home;
  env.USER = spec.agent;
  env.PADDOCK_AGENT = spec.agent;
  env.LANG = spec.lang ?? env.LANG ?? 'C.UTF-8';
  env.TERM = spec.term ?? env.TERM ?? 'xterm-256color';
  env.TZ = spec.tz ?? env.TZ ?? 'UTC';
  return env;
}

/** extraEnv keys that sandboxEnv dropped, for the plan's warnings. */
export function droppedEnvKeys(extraEnv: Record<string, string> | undefined): string[] {
  return Object.entries(extraEnv ?? {})
    .filter(([k, v]) => !ENV_NAME_RE.test(k) || v.includes('\0') || FIXED.has(k))
    .map(([k]) => k);
}
