/**
 * The native relay (`native/relay.c`): bulk tunnels are handed to `paddock-relay` so their bytes
 * move with splice(2) instead of through the engine's event loop (which also serves the UI, the
 * control socket and the event log). It only moves bytes; every decision stays in the proxy.
 * Where it is missing (no C compiler at install, or not Linux), tunnels stay in Node: slower,
 * the same behaviour.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { nativeBinary, resetNativeLookup } from '../native.js';

/** A tunnel is handed over once it has carried this many bytes (small exchanges stay in Node). */
export const HANDOVER_BYTES = 1 << 20;

/** The relay's path, or null (see `nativeBinary`: `PADDOCK_NATIVE=off` keeps every tunnel in Node). */
export function relayBinary(): string | null {
  return nativeBinary('paddock-relay');
}

/** Test hook: forget the lookup (after changing PADDOCK_NATIVE). */
export const resetRelayLookup = resetNativeLookup;

/** A plain socket with an OS handle the relay can take (TLS and in-memory streams cannot be handed over). */
export function canHandOver(s: Duplex): s is net.Socket {
  return s instanceof net.Socket && !(s instanceof tls.TLSSocket) && !s.destroyed && (s as unknown as { _handle?: unknown })._handle != null;
}

/** What the relay reports at exit: bytes it moved client→upstream and upstream→client. */
export interface RelayResult {
  up: number;
  down: number;
  /** The first chunk of an unchecked direction looked like an SSH banner; nothing of it was forwarded. */
  ssh: boolean;
  error: string | null;
}

/** A running relay. `stop()` (network off) makes it report and exit, which closes both sockets. */
export interface RelayHandle {
  child: ChildProcess;
  stop(): void;
}

/**
 * Starts the relay on the two sockets (the caller has stopped reading them and flushed what it
 * wrote) with the bytes already read but not forwarded. `onSpawn` runs once the child holds
 * the sockets (the caller then closes its own copies); `onError` if it could not start (the
 * sockets are still the caller's); `onExit` with the report once it ended. `checkUp`/`checkDown`:
 * the proxy has not seen that direction's first bytes (the relay checks them for SSH).
 */
export function startRelay(
  bin: string,
  client: net.Socket,
  upstream: net.Socket,
  pendingUp: Buffer,
  pendingDown: Buffer,
  opts: { checkUp: boolean; checkDown: boolean; /** A request body: exactly this many bytes client → upstream, then exit (both sockets stay the caller's). */ upOnly?: number },
  cb: { onSpawn(): void; onError(err: Error): void; onExit(r: RelayResult): void },
): RelayHandle {
  const args = ['--parent', String(process.pid), ...(opts.checkUp ? ['--check-up'] : []), ...(opts.checkDown ? ['--check-down'] : []), ...(opts.upOnly !== undefined ? ['--up-only', String(opts.upOnly)] : [])];
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe', client, upstream] });
  let out = '';
  let err = '';
  let started = false;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-200)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-500)));
  child.stdin!.on('error', () => {}); // an early exit is reported through 'close'
  child.once('spawn', () => {
    started = true;
    child.stdin!.end(Buffer.concat([Buffer.from(`${pendingUp.length} ${pendingDown.length}\n`), pendingUp, pendingDown]));
    cb.onSpawn();
  });
  child.once('error', (e) => {
    if (!started) cb.onError(e);
  });
  child.once('close', (code, signal) => {
    if (!started) return;
    const m = /^(\d+) (\d+)\n$/.exec(out);
    const ssh = code === 3;
    const error = (code === 0 || ssh) && m ? null : `relay ended (${signal ?? `exit ${code}`})${err ? `: ${err.trim()}` : ''}`;
    cb.onExit({ up: m ? Number(m[1]) : 0, down: m ? Number(m[2]) : 0, ssh, error });
  });
  let killTimer: NodeJS.Timeout | null = null;
  return {
    child,
    stop(): void {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // It reports and exits on SIGTERM at once; SIGKILL if it somehow did not.
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), 500);
      killTimer.unref();
    },
  };
}
