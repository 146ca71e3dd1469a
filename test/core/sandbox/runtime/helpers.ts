import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { launchSandbox } from '../../../../src/core/sandbox/runtime/launch.js';
import type { LaunchOptions, RuntimeEvent, SandboxProcess } from '../../../../src/core/sandbox/runtime/types.js';
import { allPids, readCmdline } from '../../../../src/core/sandbox/runtime/proc.js';

/** A minimal valid bwrap command line (Debian 12: /bin, /lib, /lib64 are symlinks into /usr). */
export function bwrapArgv(command: string[], workspace?: string): string[] {
  const ws = workspace ? ['--bind', workspace, workspace, '--chdir', workspace] : [];
  return [
    'bwrap', '--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup',
    '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64',
    '--ro-bind', '/etc', '/etc', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', ...ws,
    '--clearenv', '--setenv', 'PATH', '/usr/bin:/bin',
    '--', ...command,
  ];
}

/** A unique token to find a test's processes by argv on the host. */
export function marker(): string {
  return `pdk${randomBytes(6).toString('hex')}`;
}

/** Host pids whose argv contains the marker. */
export function pidsWithMarker(m: string): number[] {
  return allPids().filter((p) => p !== process.pid && (readCmdline(p) ?? []).some((a) => a.includes(m)));
}

export interface Started {
  sp: SandboxProcess;
  events: RuntimeEvent[];
  workspace: string;
  cleanup: () => Promise<void>;
}

/** Launches a sandbox running `sh -c script` with a temp workspace. */
export async function start(script: string, extra: Partial<LaunchOptions> = {}): Promise<Started> {
  const workspace = mkdtempSync(join(tmpdir(), 'pdk-ws-'));
  const events: RuntimeEvent[] = [];
  const sp = await launchSandbox({
    argv: bwrapArgv(['/bin/sh', '-c', script], workspace),
    env: { PATH: '/usr/bin:/bin' },
    agent: 'test',
    runId: marker(),
    limits: { memory: null, processes: null, cpu: null },
    stdio: 'pipe',
    workspace,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return {
    sp,
    events,
    workspace,
    cleanup: async () => {
      if (sp.state !== 'exited') await sp.kill();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns true or `ms` pass. */
export async function until(fn: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fn()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return fn();
}
