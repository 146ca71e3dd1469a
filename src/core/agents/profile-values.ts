/**
 * Profile values beyond the schema: sizes, `~` expansion, commands, and the checks that keep a
 * profile from undermining the sandbox (reserved env names, header smuggling, wildcard binding).
 */
import { posix } from 'node:path';
import { DEFAULT_COMMAND } from '../../shared/profile-defaults.js';
import { SIZE_RE } from '../../shared/profile.schema.js';

export { DEFAULT_COMMAND };

/** Smallest memory limit accepted: below this nothing starts, so it is almost surely a typo. */
export const MIN_MEMORY_BYTES = 1024 * 1024;

/**
 * Multipliers by unit. `KiB`/`MiB`/`GiB`/`TiB` and the single letters `k`/`m`/`g`/`t` are binary
 * (1024-based, like Docker and ulimit); `KB`/`MB`/`GB`/`TB` are decimal (1000-based, SI).
 */
const UNITS: Record<string, number> = {
  b: 1,
  k: 1024, kib: 1024, kb: 1000,
  m: 1024 ** 2, mib: 1024 ** 2, mb: 1000 ** 2,
  g: 1024 ** 3, gib: 1024 ** 3, gb: 1000 ** 3,
  t: 1024 ** 4, tib: 1024 ** 4, tb: 1000 ** 4,
};

/**
 * Parses a memory size to bytes (fractions rounded down). Returns an error sentence instead when
 * the size is not understood, below {@link MIN_MEMORY_BYTES} or beyond a safe integer.
 */
export function parseSize(v: number | string): { bytes: number } | { error: string } {
  let bytes: number;
  if (typeof v === 'number') bytes = v;
  else {
    const m = SIZE_RE.exec(v);
    if (!m || m[1] === undefined) return { error: 'memory must be a size such as 512MiB or 2GiB' };
    const unit = (m[2] ?? 'b').toLowerCase();
    bytes = Math.floor(Number(m[1]) * (UNITS[unit] ?? 1));
  }
  if (!Number.isSafeInteger(bytes)) return { error: 'memory is too large: use a size such as 64GiB' };
  if (bytes < MIN_MEMORY_BYTES) return { error: `memory ${String(v)} is ${bytes} bytes, below 1MiB: write a unit, e.g. 512MiB` };
  return { bytes };
}

/**
 * Expands `~` and `~/…` against `home` and normalises the result. Relative paths, `~user` and
 * paths with NUL are refused (an error sentence is returned).
 */
export function expandPath(p: string, home: string, what: string): { path: string } | { error: string } {
  // Threat: a NUL byte truncates the path in the kernel, so the checked path differs from the used one.
  if (p.includes('\0')) return { error: `${what} must not contain a NUL character` };
  let full = p;
  if (p === '~') full = home;
  else if (p.startsWith('~/')) full = posix.join(home, p.slice(2));
  else if (p.startsWith('~')) return { error: `${what} "${p}": only ~ and ~/… are understood, write the absolute path` };
  // Safer reading: a relative path would depend on the directory paddock was started from.
  if (!posix.isAbsolute(full)) return { error: `${what} "${p}" must be an absolute path or start with ~/` };
  const norm = posix.normalize(full);
  return { path: norm.length > 1 && norm.endsWith('/') ? norm.slice(0, -1) : norm };
}

/** A string command runs through the shell; a list is the argv as is. */
export function normaliseCommand(cmd: string | string[] | undefined): string[] {
  if (cmd === undefined) return [...DEFAULT_COMMAND];
  return typeof cmd === 'string' ? ['/bin/sh', '-c', cmd] : [...cmd];
}

/** Why a command argv is unusable, or null. */
export function commandProblem(argv: readonly string[]): string | null {
  if (argv.some((a) => a.includes('\0'))) return 'command arguments must not contain a NUL character';
  if (argv[0] === '' || argv[0]?.trim() === '') return 'the program (first element of command) must not be empty';
  return null;
}

/**
 * Environment names Paddock sets or relies on inside the sandbox. An `env` secret with one of these
 * names is refused. Threat: a secret overriding PATH, HOME, the proxy or CA variables, or the
 * loader (LD_*), would change how Paddock's own helpers behave inside the sandbox.
 */
const RESERVED_ENV = new Set(['PATH', 'HOME', 'USER', 'LANG', 'TERM', 'TZ', 'SHELL', 'PWD', 'NO_PROXY', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO', 'NODE_OPTIONS', 'BASH_ENV', 'ENV']);

/** Why `name` cannot be an env secret, or null. */
export function envNameProblem(name: string): string | null {
  const up = name.toUpperCase();
  if (RESERVED_ENV.has(up) || up.startsWith('PADDOCK_') || up.startsWith('LD_') || up.endsWith('_PROXY')) {
    return `secret name ${name} is reserved by Paddock inside the sandbox: choose another name for an env secret`;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `an env secret name must be letters, digits and _ (${name} is not a usable variable name)`;
  return null;
}

/** Host names a header secret can be bound to: `host`, `*.domain`, optional `:port`. */
const BOUND_HOST_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/i;

/** Why a header-secret host is unusable, or null. */
export function boundHostProblem(host: string): string | null {
  // Threat: a header secret bound to every host would be injected into requests to any server.
  if (host === '*' || host.startsWith('*:')) return 'a header secret must name its hosts: * would send it to every host';
  if (!BOUND_HOST_RE.test(host)) return `"${host}" is not a host name such as api.openai.com or *.example.com`;
  return null;
}

/** Why a header template is unusable, or null. */
export function headerProblem(header: string): string | null {
  // Threat: CR/LF in the template would smuggle extra headers or a second request.
  if (/[\r\n\0]/.test(header)) return 'header must be a single line (no line breaks)';
  return null;
}
