import { spawn, type ChildProcess, type IOType } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { SandboxPlan } from './plan.js';

/** stdio entries for fds 3.. of a plan: one pipe per data blob bwrap reads at setup, then the pinned grants. */
export function planFdStdio(plan: Pick<SandboxPlan, 'fds' | 'pins'>): Array<'pipe' | number> {
  return [...plan.fds.map(() => 'pipe' as const), ...plan.pins.map((p) => p.fd)];
}

/**
 * Write a plan's setup data to the child's fds 3.. and close them. bwrap blocks reading each
 * fd until EOF during setup, so this must be called right after spawning.
 */
export function feedPlanFds(child: ChildProcess, plan: Pick<SandboxPlan, 'fds'>): void {
  plan.fds.forEach((data, i) => {
    const s = child.stdio[3 + i] as Writable | null | undefined;
    if (!s) throw new Error(`feedPlanFds: child fd ${3 + i} is not a pipe`);
    s.on('error', () => {}); // bwrap exiting early closes the pipe; its exit code reports why
    s.end(data);
  });
}

/**
 * Spawn a plan (minimal environment, workspace as cwd) and feed its fds. Engines that need more
 * fds (e.g. `--info-fd`) put them after `3 + plan.fds.length + plan.pins.length`.
 */
export function spawnSandbox(plan: SandboxPlan, stdio: [IOType, IOType, IOType] = ['ignore', 'pipe', 'pipe']): ChildProcess {
  const [cmd, ...args] = plan.argv as [string, ...string[]];
  const child = spawn(cmd, args, { env: plan.env, cwd: plan.cwd, stdio: [...stdio, ...planFdStdio(plan)] });
  feedPlanFds(child, plan);
  return child;
}
