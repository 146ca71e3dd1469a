/**
 * The egress bench's agent: a Node script run inside a real bubblewrap sandbox (own user, pid and
 * network namespaces) whose only way out is 127.0.0.1:3128, the proxy's own listener made in the
 * sandbox's network namespace by the native launcher (native/nslisten.c), exactly as for an agent.
 */
import type { Server } from 'node:net';
import { launchSandbox } from '../src/core/sandbox/runtime/launch.js';
import { findBwrap } from '../src/core/sandbox/runtime/capabilities.js';
import type { Egress } from '../src/core/egress/egress.js';

let n = 0;

/** Runs `node -e script ...args` inside a sandbox of `agent` (its proxy open in `egress`); resolves with its stdout. */
export async function inSandbox(egress: Egress, agent: string, script: string, args: string[]): Promise<string> {
  const bwrap = findBwrap();
  if (!bwrap) throw new Error('bench: bubblewrap is not installed');
  let server: Server | null = null;
  const sp = await launchSandbox({
    argv: [bwrap, '--unshare-user', '--unshare-pid', '--unshare-net', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--', process.execPath, '-e', script, ...args],
    env: { PATH: '/usr/bin:/bin' },
    agent,
    runId: `r-bench-${process.pid}-${++n}`,
    limits: { memory: null, processes: null, cpu: null },
    stdio: 'pipe',
    workspace: '/nonexistent',
    onEvent: () => {},
    cgroup: 'none',
    netListener: {
      port: 3128,
      onServer: (s) => {
        server = s;
        egress.proxy(agent)!.adopt(s);
      },
    },
  });
  let out = '';
  let err = '';
  sp.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  sp.child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ex = await sp.exited;
  (server as Server | null)?.close();
  if (ex.code !== 0) throw new Error(`bench: the sandboxed client failed (${ex.code ?? ex.signal}): ${err.trim()}`);
  return out;
}
