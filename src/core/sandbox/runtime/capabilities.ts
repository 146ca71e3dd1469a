import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { DoctorCheck } from '../../../shared/api.js';
import { detectCgroupLayout } from './cgroup-detect.js';
import type { Capabilities } from './types.js';

export type { Capabilities } from './types.js';

const run = promisify(execFile);

/** System directories searched before PATH (threat: a writable PATH entry planting a fake bwrap). */
const TRUSTED_DIRS = ['/usr/bin', '/usr/local/bin', '/bin', '/usr/sbin', '/sbin'];

function findProgram(name: string): string | null {
  for (const d of TRUSTED_DIRS) {
    try {
      accessSync(`${d}/${name}`, constants.X_OK);
      return `${d}/${name}`;
    } catch {
      // keep looking
    }
  }
  return null;
}

/** Absolute path of bubblewrap in a system directory, or null. */
export function findBwrap(): string | null {
  return findProgram('bwrap');
}

/** Absolute path of prlimit(1) (util-linux), or null. */
export function findPrlimit(): string | null {
  return findProgram('prlimit');
}

function readNumber(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** Probes the machine: bubblewrap, user namespaces (by running one), AppArmor's restriction, cgroups. */
export async function detectCapabilities(): Promise<Capabilities> {
  const path = findBwrap();
  let version: string | null = null;
  let userns: Capabilities['userns'] = { ok: false, error: 'bubblewrap is not installed' };
  if (path) {
    try {
      version = (await run(path, ['--version'], { timeout: 5000 })).stdout.trim().replace(/^bubblewrap\s*/, '');
    } catch {
      version = null;
    }
    try {
      await run(path, ['--unshare-user', '--unshare-pid', '--unshare-net', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--', '/bin/true'], {
        timeout: 10_000,
        env: {},
      });
      userns = { ok: true, error: null };
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      userns = { ok: false, error: (err.stderr ?? '').trim() || err.message };
    }
  }
  const aa = readNumber('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
  let cgroup: Capabilities['cgroup'];
  try {
    cgroup = detectCgroupLayout();
  } catch {
    cgroup = { mode: 'none', controllers: [], parents: {} };
  }
  return {
    bwrap: { path, version },
    userns,
    apparmorRestrict: aa === null ? null : aa !== 0,
    maxUserNamespaces: readNumber('/proc/sys/user/max_user_namespaces'),
    cgroup,
    prlimit: findPrlimit(),
  };
}

/** `paddock doctor` lines for the sandbox: what enforces what, and how to fix what is missing. */
export function doctorChecks(c: Capabilities): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  out.push(
    c.bwrap.path
      ? { id: 'sandbox.bwrap', ok: true, message: `bubblewrap ${c.bwrap.version ?? '(unknown version)'} at ${c.bwrap.path} isolates each agent`, fix: null }
      : { id: 'sandbox.bwrap', ok: false, message: 'bubblewrap is not installed: agents cannot run', fix: 'Install bubblewrap: `sudo apt install bubblewrap` (Debian/Ubuntu) or `sudo dnf install bubblewrap` (Fedora).' },
  );
  if (c.apparmorRestrict === true) {
    out.push({
      id: 'sandbox.apparmor',
      ok: c.userns.ok,
      message: c.userns.ok ? 'AppArmor restricts unprivileged user namespaces, but bubblewrap is allowed' : 'AppArmor blocks unprivileged user namespaces: agents cannot run',
      fix: c.userns.ok ? null : 'Allow bubblewrap an AppArmor profile with `userns` (see /etc/apparmor.d/bwrap-userns-restrict on Ubuntu 24.04), or `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`.',
    });
  }
  if (c.maxUserNamespaces === 0) {
    out.push({ id: 'sandbox.max-userns', ok: false, message: 'user.max_user_namespaces is 0: user namespaces are disabled', fix: 'Run `sudo sysctl user.max_user_namespaces=15000` and make it permanent in /etc/sysctl.d/.' });
  }
  if (c.bwrap.path) {
    out.push(
      c.userns.ok
        ? { id: 'sandbox.userns', ok: true, message: 'user, pid and network namespaces work (probe sandbox ran)', fix: null }
        : { id: 'sandbox.userns', ok: false, message: `a probe sandbox failed: ${c.userns.error ?? 'unknown error'}`, fix: 'Enable unprivileged user namespaces (`sysctl kernel.unprivileged_userns_clone=1` on older Debian kernels) and check AppArmor/SELinux policy for bwrap.' },
    );
  }
  const ctl = new Set(c.cgroup.controllers);
  const has = (v1: string, v2: string): boolean => ctl.has(v1) || ctl.has(v2);
  const mech = (v1: string, v2: string, v1file: string, v2file: string): string => (ctl.has(v1) ? `cgroup v1 ${v1file}` : ctl.has(v2) ? `cgroup v2 ${v2file}` : '');
  const cgFix = 'Run Paddock where a cgroup is writable: cgroup v2 with delegation (`systemd-run --user --scope -p Delegate=yes paddock …`) or as root with cgroup v1.';
  out.push({
    id: 'sandbox.cgroup',
    ok: c.cgroup.mode !== 'none',
    message: c.cgroup.mode === 'none' ? 'no writable cgroup: limits fall back to rlimits, pause to SIGSTOP' : `cgroups: ${c.cgroup.mode} (${c.cgroup.controllers.join(', ')})`,
    fix: c.cgroup.mode === 'none' ? cgFix : null,
  });
  out.push(
    has('memory', 'v2-memory')
      ? { id: 'limits.memory', ok: true, message: `memory limit: ${mech('memory', 'v2-memory', 'memory.limit_in_bytes', 'memory.max')}`, fix: null }
      : { id: 'limits.memory', ok: false, message: 'memory limit: rlimit RLIMIT_AS per process only', fix: cgFix },
  );
  const root = process.getuid?.() === 0;
  out.push(
    has('pids', 'v2-pids')
      ? { id: 'limits.processes', ok: true, message: `process limit: ${mech('pids', 'v2-pids', 'pids.max', 'pids.max')}`, fix: null }
      : { id: 'limits.processes', ok: !root, message: root ? 'process limit: not enforced (RLIMIT_NPROC does not bind root)' : 'process limit: rlimit RLIMIT_NPROC (per user)', fix: cgFix },
  );
  out.push(
    has('cpu', 'v2-cpu')
      ? { id: 'limits.cpu', ok: true, message: `cpu limit: ${mech('cpu', 'v2-cpu', 'cpu.cfs_quota_us', 'cpu.max')}`, fix: null }
      : { id: 'limits.cpu', ok: false, message: 'cpu limit: not enforced', fix: cgFix },
  );
  const freeze = ctl.has('v2-freeze') ? 'cgroup v2 cgroup.freeze' : ctl.has('freezer') ? 'cgroup v1 freezer' : 'SIGSTOP to each process';
  out.push({ id: 'sandbox.pause', ok: true, message: `pause: ${freeze}`, fix: null });
  const kill = ctl.has('v2-kill') ? 'cgroup v2 cgroup.kill' : 'SIGKILL to the pid-namespace init';
  out.push({ id: 'sandbox.kill', ok: true, message: `kill: ${kill}; agents die with Paddock (bwrap --die-with-parent)`, fix: null });
  return out;
}
