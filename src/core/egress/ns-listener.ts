/**
 * The agent's proxy listener inside its own network namespace (issue 17): the native launcher's
 * helper (native/nslisten.c) joins the sandbox's user and network namespaces before the agent
 * runs, binds 127.0.0.1:PORT there and passes the listening socket to this process, where the
 * agent's AgentProxy serves it like its Unix socket. No process inside the sandbox, no fork per
 * connection, no copy of every byte through a bridge. Without the native launcher the sandbox
 * falls back to the socat bridge (helper-scripts.ts).
 */
import { statSync } from 'node:fs';
import type { Server } from 'node:net';
import { nativeBinary } from '../native.js';
import type { Egress } from './egress.js';

/** Which way the agent's connections reach its proxy on this machine, and why. */
export interface NetPath {
  inNamespace: boolean;
  why: string;
}

/**
 * Whether the in-namespace listener can be used: Linux, the native launcher built, and a bwrap
 * whose user namespace this user may enter (a setuid bwrap makes root own it: the bridge then).
 * `PADDOCK_NET_PATH=bridge` forces the fallback (comparisons, troubleshooting).
 */
export function netPath(bwrap: string | null): NetPath {
  if (process.platform !== 'linux') return { inNamespace: false, why: 'not Linux' };
  if (process.env.PADDOCK_NET_PATH === 'bridge') return { inNamespace: false, why: 'PADDOCK_NET_PATH=bridge' };
  const bin = nativeBinary('paddock-launch');
  if (!bin) return { inNamespace: false, why: process.env.PADDOCK_NATIVE === 'off' ? 'PADDOCK_NATIVE=off' : 'the native launcher is not built' };
  if (bwrap && process.getuid?.() !== 0) {
    try {
      if (statSync(bwrap).mode & 0o4000) return { inNamespace: false, why: `${bwrap} is setuid root, so its namespaces are root's` };
    } catch {
      // no bwrap: the start fails anyway, with its own message
    }
  }
  return { inNamespace: true, why: `native launcher ${bin}` };
}

/** The run's listener arrived: the agent's proxy serves it (or it is closed when the run is already gone). */
export function adoptListener(egress: Egress, agent: string, server: Server): void {
  const p = egress.proxy(agent);
  if (!p) return void server.close();
  p.adopt(server);
}
