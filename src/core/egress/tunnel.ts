/**
 * An allowed tunnel's bytes: piped both ways with byte counts and SSH detection on the first
 * bytes of each direction; one `net.allow` at close (and one at open for long-lived tunnels).
 * A bulk tunnel is handed to the native relay (relay.ts) once it has carried HANDOVER_BYTES (the
 * relay checks a direction's first bytes if they have not come yet); the counts, the event and
 * the cut on "network off" stay here.
 */
import type { Duplex } from 'node:stream';
import type { Opened } from './connection.js';
import { netEvent } from './net-events.js';
import { canHandOver, HANDOVER_BYTES, relayBinary, startRelay } from './relay.js';
import { formatTarget, type Target } from './target.js';
import { looksLikeSsh } from './tripwires.js';
import type { ProxyAgent } from './types.js';

/** Most bytes the relay takes as already-read input per direction (its pipes hold at least 64 KiB). */
const MAX_PENDING = 64 * 1024;
/** Relays (host processes) one agent may have at once. */
export const MAX_RELAYS_PER_AGENT = 16;
/** How much of each direction's start is checked for an SSH banner. */
export const SSH_SCAN_BYTES = 8192;

const EMPTY = Buffer.alloc(0);

/** The start of one direction of a tunnel, kept until it was checked for an SSH banner. */
interface HeadScan {
  head: Buffer;
  done: boolean;
}

/** Everything the stream has buffered for reading, without starting a new read. */
function takeBuffered(s: Duplex): Buffer {
  const parts: Buffer[] = [];
  for (let c: Buffer | null; (c = s.read() as Buffer | null) !== null; ) parts.push(c);
  return Buffer.concat(parts);
}

export function pipeTunnel(p: ProxyAgent, client: Duplex, o: Opened, target: Target, via: string, head?: Buffer): void {
  const { upstream, vet } = o;
  let up = 0;
  let down = 0;
  let closed = false;
  /** node: bytes go through the event loop; handover: both sides paused, flushing; relay: the native relay has them. */
  let mode: 'node' | 'handover' | 'relay' = 'node';
  /** This tunnel holds one of the agent's relay slots (from handover until its end or a return to Node). */
  let slot = false;
  let relayError: string | null = null;
  let untrack = p.track(client);
  const sshCheck = (buf: Buffer): boolean => {
    if (vet.sshIntended || !looksLikeSsh(buf)) return false;
    p.alert('ssh-egress', `SSH banner in a tunnel to ${formatTarget(target)} (port ${target.port})`, { host: target.host, port: target.port });
    client.destroy();
    upstream.destroy();
    return true;
  };
  const longTimer = setTimeout(() => {
    if (!closed) p.events.emit(netEvent(p, 'net.allow', target, vet, { via, open: true }));
  }, p.longLivedMs);
  longTimer.unref();
  const finish = (): void => {
    if (closed) return;
    closed = true;
    releaseSlot();
    clearTimeout(longTimer);
    untrack();
    client.destroy();
    upstream.destroy();
    const extra = relayError ? { relay: true, error: relayError } : mode === 'relay' ? { relay: true } : {};
    p.events.emit(netEvent(p, 'net.allow', target, vet, { via, bytesUp: up, bytesDown: down, durationMs: Date.now() - o.started, ...extra }));
  };

  // Threat: an SSH banner after a first harmless chunk (`\r\n`, then `SSH-2.0-…`), or after the
  // other lines RFC 4253 lets a server send first: each direction's first SSH_SCAN_BYTES are
  // checked as they accumulate, before each chunk is forwarded.
  const scanUp: HeadScan = { head: EMPTY, done: false };
  const scanDown: HeadScan = { head: EMPTY, done: false };
  /** Adds a chunk to a direction's start; true when that start shows an SSH banner (the tunnel is cut). */
  const banner = (scan: HeadScan, chunk: Buffer): boolean => {
    if (scan.done) return false;
    // The first chunk is kept as it is (no copy): a Buffer emitted by a stream is never reused.
    const start = scan.head.length === 0 ? chunk : Buffer.concat([scan.head, chunk]);
    scan.head = start.length > SSH_SCAN_BYTES ? start.subarray(0, SSH_SCAN_BYTES) : start;
    if (sshCheck(scan.head)) return true;
    scan.done = scan.head.length >= SSH_SCAN_BYTES;
    return false;
  };
  const onClientData = (chunk: Buffer): void => {
    up += chunk.length;
    if (banner(scanUp, chunk)) return;
    if (!upstream.write(chunk)) client.pause();
    maybeHandOver();
  };
  const onUpstreamData = (chunk: Buffer): void => {
    down += chunk.length;
    if (banner(scanDown, chunk)) return;
    if (!client.write(chunk)) upstream.pause();
    maybeHandOver();
  };
  const onUpstreamDrain = (): void => void (mode === 'node' && client.resume());
  const onClientDrain = (): void => void (mode === 'node' && upstream.resume());
  const onClientEnd = (): void => void upstream.end();
  const onUpstreamEnd = (): void => void client.end();
  // One side closed: destroying the other at once would drop the bytes still queued towards it
  // (truncated downloads/uploads for a slower reader); once `end()` was called, let it flush first.
  const closeAfterFlush = (other: Duplex) => (): void => {
    if (closed || mode === 'relay') return;
    if (other.writableEnded && !other.writableFinished && !other.destroyed) {
      other.once('finish', finish);
      other.once('close', finish);
    } else finish();
  };
  const onClientClose = closeAfterFlush(upstream);
  const onUpstreamClose = closeAfterFlush(client);
  const onError = (): void => void (mode !== 'relay' && finish());
  const listeners: [Duplex, string, (chunk: Buffer) => void][] = [
    [client, 'data', onClientData], [upstream, 'data', onUpstreamData],
    [upstream, 'drain', onUpstreamDrain], [client, 'drain', onClientDrain],
    [client, 'end', onClientEnd], [upstream, 'end', onUpstreamEnd],
    [client, 'close', onClientClose], [upstream, 'close', onUpstreamClose],
  ];
  const attach = (): void => {
    for (const [s, ev, fn] of listeners) s.on(ev, fn);
  };
  const detach = (): void => {
    for (const [s, ev, fn] of listeners) s.removeListener(ev, fn);
  };

  function maybeHandOver(): void {
    if (mode !== 'node' || up + down < HANDOVER_BYTES) return;
    // Agents with header secrets keep every byte in the proxy (placeholders are watched there).
    if (p.secrets || !canHandOver(client) || !canHandOver(upstream)) return;
    const bin = relayBinary();
    if (!bin) return;
    // Threat: an agent opening hundreds of bulk tunnels to spawn as many host processes, outside
    // its own process limit: a few relays per agent, the other tunnels stay in Node.
    if (!p.takeSlot('relay', MAX_RELAYS_PER_AGENT)) return;
    slot = true;
    mode = 'handover';
    client.pause();
    upstream.pause();
    setImmediate(whenFlushed);
  }

  /** Waits until everything written so far left the proxy, then gives both sockets to the relay. */
  function whenFlushed(): void {
    if (closed || mode !== 'handover') return;
    const ended = [client, upstream].some((s) => s.destroyed || s.readableEnded || s.writableEnded);
    if (ended) return resumeInNode();
    const busy = [client, upstream].find((s) => s.writableLength > 0);
    if (busy) return void busy.once('drain', () => setImmediate(whenFlushed));
    const bin = relayBinary();
    if (!bin || !canHandOver(client) || !canHandOver(upstream)) return resumeInNode();
    detach();
    const pendingUp = takeBuffered(client);
    const pendingDown = takeBuffered(upstream);
    // Bytes read but never seen by the SSH check are checked here before the relay forwards them.
    if (!scanUp.done && pendingUp.length) {
      scanUp.done = true;
      if (sshCheck(pendingUp)) return finish();
    }
    if (!scanDown.done && pendingDown.length) {
      scanDown.done = true;
      if (sshCheck(pendingDown)) return finish();
    }
    const checkUp = !scanUp.done && !vet.sshIntended;
    const checkDown = !scanDown.done && !vet.sshIntended;
    /** Not handed over after all: forward what was taken, count it, and go on in Node. */
    const stayInNode = (): void => {
      if (closed) return;
      attach();
      up += pendingUp.length;
      down += pendingDown.length;
      if (pendingUp.length) upstream.write(pendingUp);
      if (pendingDown.length) client.write(pendingDown);
      resumeInNode();
    };
    // The relay queues these in its pipes (64 KiB at least); more stays in Node (retried later).
    if (pendingUp.length > MAX_PENDING || pendingDown.length > MAX_PENDING) return stayInNode();
    let relay: ReturnType<typeof startRelay>;
    try {
      relay = startRelay(bin, client, upstream, pendingUp, pendingDown, { checkUp, checkDown }, {
        onSpawn: () => {
          // The tunnel failed while the relay was starting: it is over, the relay must not carry it on.
          if (closed) return relay.stop();
          mode = 'relay';
          untrack();
          untrack = p.track({ destroy: () => relay.stop() });
          // The relay holds its own copies; closing ours neither reads nor closes the connection.
          client.destroy();
          upstream.destroy();
        },
        // Could not start: the sockets are still ours.
        onError: stayInNode,
        onExit: (r) => {
          up += r.up;
          down += r.down;
          relayError = r.error;
          if (r.ssh) p.alert('ssh-egress', `SSH banner in a tunnel to ${formatTarget(target)} (port ${target.port})`, { host: target.host, port: target.port });
          finish();
        },
      });
    } catch {
      stayInNode(); // spawn() throws for some errors (ENOMEM, EPERM…) instead of emitting 'error'
    }
  }

  function releaseSlot(): void {
    if (!slot) return;
    slot = false;
    p.releaseSlot('relay');
  }

  function resumeInNode(): void {
    if (mode === 'handover') mode = 'node';
    releaseSlot();
    if (closed) return;
    client.resume();
    upstream.resume();
  }

  attach();
  client.on('error', onError);
  upstream.on('error', onError);
  // Bytes that came with the CONNECT request are the start of the upload.
  if (head && head.length) {
    up += head.length;
    if (banner(scanUp, head)) return;
    upstream.write(head);
  }
  client.resume();
}
