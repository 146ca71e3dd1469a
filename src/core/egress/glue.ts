/**
 * What the sandbox needs to use the egress path: the agent's socket folder and the helpers
 * bound in read-only, the proxy variables, and how 127.0.0.1:PORT of the sandbox's own network
 * namespace reaches the proxy: the proxy's own listener made there by the native launcher
 * (ns-listener.ts), or, without it, a launcher script that starts an in-sandbox bridge (socat →
 * the Unix socket) before exec'ing the agent. Node is not available inside; socat is.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SOCKET_NAME } from './agent-proxy.js';
import { isBridgeHelper, LAUNCHER_SH, PADDOCK_ASK_SH } from './helper-scripts.js';

/** Where the agent's socket folder appears inside the sandbox. */
export const INSIDE_SOCKET_DIR = '/run/paddock/net';
/** Where the helpers (`paddock-ask`) appear inside the sandbox; put on PATH. */
export const INSIDE_BIN_DIR = '/run/paddock/bin';
/** The bridge's port on the sandbox's own loopback (no other process there can clash with it). */
export const DEFAULT_BRIDGE_PORT = 3128;

/** Inputs of sandboxGlue. */
export interface GlueOptions {
  /** The agent's socket folder on the host (the one given to Egress.open). */
  socketDir: string;
  /** A folder holding the helpers (written by installHelpers); shared by all agents, read-only inside. */
  helperDir: string;
  /** Network switch at start: off → no proxy variables and no bridge (only the gate). */
  network: boolean;
  port?: number;
  /** The proxy listens inside the sandbox itself (ns-listener.ts); false: the socat bridge. */
  inNamespace?: boolean;
}

/** The pieces to merge into the SandboxSpec. */
export interface SandboxGlue {
  extraBinds: { src: string; dest: string; mode: 'ro' | 'rw' }[];
  extraEnv: Record<string, string>;
  extraPath: string[];
  /** Wraps the agent's argv so the bridge is listening before the agent starts. */
  wrapCommand(command: string[]): string[];
  /** True for a process start that is this run's own bridge helper (see isBridgeHelper). */
  isHelper?: (argv: readonly string[]) => boolean;
  /** With `inNamespace`: the port the launcher's helper must listen on before the agent starts. */
  listenPort?: number;
}

/**
 * Builds the sandbox glue. NO_PROXY covers only the sandbox's own loopback (the agent's own
 * local servers); nothing else is reachable there, so it cannot be used to bypass the proxy.
 */
export function sandboxGlue(o: GlueOptions): SandboxGlue {
  const port = o.port ?? DEFAULT_BRIDGE_PORT;
  const binds: SandboxGlue['extraBinds'] = [
    // The folder, not the socket file: a restarted listener's new socket shows up inside too.
    { src: o.socketDir, dest: INSIDE_SOCKET_DIR, mode: 'ro' },
    { src: o.helperDir, dest: INSIDE_BIN_DIR, mode: 'ro' },
  ];
  if (!o.network) return { extraBinds: binds, extraEnv: {}, extraPath: [INSIDE_BIN_DIR], wrapCommand: (c) => [...c] };
  const http = `http://127.0.0.1:${port}`;
  const socks = `socks5h://127.0.0.1:${port}`;
  const noProxy = 'localhost,127.0.0.1,::1';
  const env: Record<string, string> = {
    HTTP_PROXY: http, HTTPS_PROXY: http, ALL_PROXY: socks, NO_PROXY: noProxy,
    http_proxy: http, https_proxy: http, all_proxy: socks, no_proxy: noProxy,
  };
  const sock = `${INSIDE_SOCKET_DIR}/${SOCKET_NAME}`;
  if (o.inNamespace) return { extraBinds: binds, extraEnv: env, extraPath: [INSIDE_BIN_DIR], wrapCommand: (c) => [...c], listenPort: port };
  return {
    extraBinds: binds,
    extraEnv: env,
    extraPath: [INSIDE_BIN_DIR],
    wrapCommand: (c) => ['/bin/sh', '-c', LAUNCHER_SH, 'paddock-bridge', String(port), sock, ...c],
    isHelper: (argv) => isBridgeHelper(argv, port, sock),
  };
}

/** Writes the helper scripts (`paddock-ask`) into `dir` (0755, files 0755). Idempotent. */
export async function installHelpers(dir: string): Promise<void> {
  // Synchronous: four tiny local calls at every engine start, where each thread-pool round trip of
  // the promise API costs more than the call itself (a first host waits for them).
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  const ask = path.join(dir, 'paddock-ask');
  writeFileSync(ask, PADDOCK_ASK_SH, { mode: 0o755 });
  chmodSync(ask, 0o755);
}
