import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { PaddockError } from '../../shared/errors.js';

const BWRAP_CANDIDATES = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'];

/** Absolute path of bubblewrap, or null. Only fixed system locations (threat: a bwrap planted on PATH). */
export function findBwrap(): string | null {
  for (const p of BWRAP_CANDIDATES) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // try the next location
    }
  }
  return null;
}

const bindFd = new Map<string, boolean>();

/**
 * Whether this bubblewrap has `--bind-fd` (0.5 and later): found in its binary, once per process
 * (reading ~100 KB costs less than running it). Without it grants are bound by path (no pinning).
 */
export function bwrapHasBindFd(bwrap: string): boolean {
  let has = bindFd.get(bwrap);
  if (has === undefined) {
    try {
      has = readFileSync(bwrap).includes('--ro-bind-fd');
    } catch {
      has = false;
    }
    bindFd.set(bwrap, has);
  }
  return has;
}

function readSysctl(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Read a kernel setting by its /proc/sys path; injectable for tests. */
export type SysctlReader = (file: string) => string | null;

/** Explain why bubblewrap could not create a user namespace, and how to fix it. Pure given `sysctl`. */
export function diagnoseUserns(stderr: string, sysctl: SysctlReader = readSysctl): string {
  const detail = stderr.trim().split('\n').pop() ?? '';
  if (sysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return (
      `bubblewrap cannot create a user namespace: AppArmor restricts unprivileged user namespaces (${detail}). ` +
      'Fix: allow it for bwrap with an AppArmor profile (e.g. /etc/apparmor.d/bwrap granting "userns,") ' +
      'or run "sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0".'
    );
  }
  if (sysctl('/proc/sys/kernel/unprivileged_userns_clone') === '0') {
    return `bubblewrap cannot create a user namespace (${detail}). Fix: run "sudo sysctl kernel.unprivileged_userns_clone=1".`;
  }
  if (sysctl('/proc/sys/user/max_user_namespaces') === '0') {
    return `bubblewrap cannot create a user namespace (${detail}). Fix: run "sudo sysctl user.max_user_namespaces=15000".`;
  }
  return (
    `bubblewrap cannot create a sandbox (${detail}). User namespaces may be disabled by the kernel, ` +
    'a container runtime or a security module; check "paddock doctor".'
  );
}

let probed: { bwrap: string; ok: true } | null = null;
let probing: Promise<void> | null = null;

const PROBE_ARGS = ['--unshare-user', '--ro-bind', '/', '/', 'true'];

/**
 * Runs the bubblewrap probe of assertPlatformSupported in the background (a host that will start
 * agents calls it early), so the first start finds it done instead of blocking on it. A failed
 * probe records nothing: assertPlatformSupported then probes again and explains the failure.
 */
export function probePlatform(): Promise<void> {
  if (process.platform !== 'linux' || probed) return Promise.resolve();
  const bwrap = findBwrap();
  if (!bwrap) return Promise.resolve();
  probing ??= new Promise<void>((resolve) => {
    const child = spawn(bwrap, PROBE_ARGS, { env: {}, stdio: 'ignore', timeout: 10_000 });
    child.once('error', () => resolve());
    child.once('exit', (code) => {
      if (code === 0) probed = { bwrap, ok: true };
      resolve();
    });
  }).finally(() => (probing = null));
  return probing;
}

/**
 * Refuse to start agents where Paddock cannot enforce a sandbox (fail closed): Windows, macOS
 * without sandbox-exec, Linux without bubblewrap or with user namespaces blocked. The Linux probe
 * (`bwrap --unshare-user --ro-bind / / true`) runs once per process.
 */
export function assertPlatformSupported(
  platform: NodeJS.Platform = process.platform,
  opts: { bwrapPath?: string | null; sysctl?: SysctlReader } = {},
): void {
  if (platform === 'win32') {
    throw new PaddockError(
      'E_PLATFORM_UNSUPPORTED',
      'Paddock cannot sandbox agents on Windows yet, so it refuses to start them. Run Paddock on Linux (or WSL2 with bubblewrap) or macOS.',
    );
  }
  if (platform === 'darwin') {
    if (process.platform === 'darwin') {
      try {
        accessSync('/usr/bin/sandbox-exec', constants.X_OK);
      } catch {
        throw new PaddockError('E_SANDBOX_UNAVAILABLE', '/usr/bin/sandbox-exec is missing, so agents cannot be sandboxed on this Mac.');
      }
    }
    return;
  }
  if (platform !== 'linux') {
    throw new PaddockError('E_PLATFORM_UNSUPPORTED', `Paddock cannot sandbox agents on ${platform}; use Linux or macOS.`);
  }
  const bwrap = opts.bwrapPath === undefined ? findBwrap() : opts.bwrapPath;
  if (!bwrap) {
    throw new PaddockError(
      'E_SANDBOX_UNAVAILABLE',
      'bubblewrap (bwrap) is not installed, so agents cannot be sandboxed. Install it: "sudo apt install bubblewrap" (Debian/Ubuntu), "sudo dnf install bubblewrap" (Fedora), "sudo pacman -S bubblewrap" (Arch).',
    );
  }
  if (probed?.bwrap === bwrap) return;
  const r = spawnSync(bwrap, PROBE_ARGS, { env: {}, encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new PaddockError('E_SANDBOX_UNAVAILABLE', diagnoseUserns(r.stderr ?? String(r.error ?? ''), opts.sysctl));
  probed = { bwrap, ok: true };
}
