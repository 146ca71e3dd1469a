/**
 * Starting bwrap without `paddock-launch` (no C compiler at install): a shell wrapper joins the
 * run's cgroups, and every fd this process would leak is covered with /dev/null in the child.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { PaddockError } from '../../../shared/errors.js';
import type { Pin } from '../links.js';
import { feedPlanFds } from '../spawn.js';

const O_CLOEXEC = 0o2000000;

/**
 * Our fds ≥ 3 that a child would inherit (no close-on-exec): ones inherited from whoever started
 * us. Throws if /proc cannot tell (fail closed: the sandbox must not start with unknown fds).
 */
export function inheritableFds(): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch (e) {
    throw new PaddockError('E_SANDBOX_UNAVAILABLE', `Cannot list Paddock's open files (/proc/self/fd: ${(e as Error).message}), so the sandbox could inherit one; mount /proc, or build the native launcher (npm run build).`);
  }
  for (const name of names) {
    const fd = Number(name);
    if (!(fd >= 3)) continue;
    try {
      const m = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
      if (m && (parseInt(m[1]!, 8) & O_CLOEXEC) === 0) out.push(fd);
    } catch {
      // closed meanwhile (the readdir's own fd)
    }
  }
  return out;
}

/**
 * The wrapper that runs before bwrap: it moves itself into every cgroup of the run and only then
 * execs bwrap, so nothing of the sandbox ever runs outside the limits (threat: a fork before the move
 * escapes them). A failed move exits 125 and the sandbox never starts (fail closed).
 * Arguments: COUNT FILE… COMMAND…; no caller data is ever interpolated into the script text.
 */
function wrapperScript(keepPwd: boolean): string {
  return [
    'n=$1; shift',
    'while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done',
    // dash exports PWD on its own; it must not reach the sandbox (threat: leaking the host's cwd).
    keepPwd ? '' : 'unset PWD',
    'exec "$@"',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Spawns the command (through the wrapper when there are cgroups to join) and feeds its setup data. */
export function coldSpawn(command: readonly string[], env: Record<string, string>, io: 'inherit' | 'pipe', setupData: readonly Buffer[], procsFiles: readonly string[], pins: readonly Pin[] = []): ChildProcess {
  // The pinned grants follow the setup data (bwrap's --bind-fd numbers), as the plan numbered them.
  const stdio: StdioOptions = [io, io, io, ...setupData.map(() => 'pipe' as const), ...pins.map((p) => p.fd)];
  // Threat: an fd Paddock inherited (a terminal's, a desktop launcher's) reaching the agent, which
  // could read the file or walk out of its mounts through it. bwrap passes every fd on, so each
  // one the child would inherit is replaced by /dev/null there.
  const leaks = inheritableFds().filter((fd) => fd >= stdio.length);
  const devNull = leaks.length > 0 ? openSync('/dev/null', 'r') : -1;
  for (const fd of leaks) {
    while (stdio.length < fd) stdio.push('ignore');
    stdio[fd] = devNull;
  }
  try {
    const child =
      procsFiles.length > 0
        ? spawn('/bin/sh', ['-c', wrapperScript('PWD' in env), 'paddock-launch', String(procsFiles.length), ...procsFiles, ...command], { env, stdio })
        : spawn(command[0]!, command.slice(1), { env, stdio });
    if (child.pid !== undefined) feedPlanFds(child, { fds: [...setupData] });
    return child;
  } finally {
    if (devNull >= 0) closeSync(devNull);
  }
}
