/**
 * SOCKS5 (RFC 1928) on the agent's socket: no-authentication only, CONNECT only; domain
 * names are resolved here on the host side (`socks5h://`), never by the client.
 */
import type { Socket } from 'node:net';
import { formatIpv4, formatIpv6 } from '../policy/index.js';
import { clientGone } from './approvals.js';
import { openConnection } from './connection.js';
import { startTunnel } from './intercept.js';
import type { Target } from './target.js';
import type { ProxyAgent } from './types.js';

const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Reads exact byte counts from a socket during the handshake. */
class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private want: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;

  constructor(private readonly sock: Socket) {
    sock.on('data', this.onData);
    sock.once('close', () => this.want?.reject(new Error('closed')));
  }

  private onData = (chunk: Buffer): void => {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    // Threat: a client streaming garbage during the handshake to grow memory.
    if (this.buf.length > 1024) this.sock.destroy();
    this.pump();
  };

  private pump(): void {
    if (this.want && this.buf.length >= this.want.n) {
      const w = this.want;
      this.want = null;
      const out = this.buf.subarray(0, w.n);
      this.buf = this.buf.subarray(w.n);
      w.resolve(out);
    }
  }

  read(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.want = { n, resolve, reject };
      this.pump();
    });
  }

  /** Stops reading; returns bytes already received past the handshake. */
  detach(): Buffer {
    this.sock.removeListener('data', this.onData);
    this.sock.pause();
    return this.buf;
  }
}

function reply(code: number): Buffer {
  return Buffer.from([0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
}

/** Handles one SOCKS5 connection (the first byte was 0x05). */
export async function handleSocks(p: ProxyAgent, sock: Socket): Promise<void> {
  const r = new Reader(sock);
  const timer = setTimeout(() => sock.destroy(), HANDSHAKE_TIMEOUT_MS);
  let target: Target;
  try {
    const [ver, nmethods] = await r.read(2);
    if (ver !== 0x05) return void sock.destroy();
    const methods = await r.read(nmethods!);
    if (!methods.includes(0x00)) {
      sock.end(Buffer.from([0x05, 0xff]));
      return;
    }
    sock.write(Buffer.from([0x05, 0x00]));
    const [v2, cmd, , atyp] = await r.read(4);
    if (v2 !== 0x05) return void sock.destroy();
    let host: string;
    if (atyp === 0x01) host = formatIpv4((await r.read(4)).readUInt32BE(0));
    else if (atyp === 0x04) host = formatIpv6(BigInt(`0x${(await r.read(16)).toString('hex')}`));
    else if (atyp === 0x03) {
      const [len] = await r.read(1);
      host = (await r.read(len!)).toString('latin1');
    } else {
      sock.end(reply(0x08));
      return;
    }
    const port = (await r.read(2)).readUInt16BE(0);
    if (cmd !== 0x01) {
      // BIND and UDP ASSOCIATE would open inbound or UDP paths the policy cannot see.
      sock.end(reply(0x07));
      return;
    }
    if (port === 0) {
      sock.end(reply(0x02));
      return;
    }
    target = { host, port };
  } catch {
    sock.destroy();
    return;
  } finally {
    clearTimeout(timer);
  }
  const o = await openConnection(p, target, 'socks5', clientGone(sock));
  if (!o.ok) {
    if (!sock.destroyed) sock.end(reply(o.socks));
    return;
  }
  if (sock.destroyed) {
    o.upstream.destroy();
    return;
  }
  const rest = r.detach();
  sock.write(reply(0x00));
  // Opaque tunnel, or TLS interception when the agent has header secrets (intercept.ts).
  startTunnel(p, sock, o, target, 'socks5', rest);
}
