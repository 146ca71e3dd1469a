import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HANDOVER_BYTES, relayBinary, resetRelayLookup } from '../../../src/core/egress/relay.js';
import { MAX_RELAYS_PER_AGENT } from '../../../src/core/egress/tunnel.js';
import { procChildren, procCpuTicks, readCmdline } from '../../../src/core/sandbox/runtime/proc.js';
import { harness, waitFor, type Harness } from './harness.js';

// Bulk tunnels are handed to native/bin/paddock-relay (built by `npm test` and `npm run build`).
const RELAY = relayBinary();

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A loopback server running `onConn` per connection; resolves its port. */
async function server(onConn: (c: net.Socket) => void): Promise<{ port: number; close(): void }> {
  const socks = new Set<net.Socket>();
  const s = net.createServer((c) => {
    socks.add(c);
    c.on('error', () => c.destroy());
    onConn(c);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { port: (s.address() as net.AddressInfo).port, close: () => { for (const c of socks) c.destroy(); s.close(); } };
}

/** Opens a CONNECT tunnel through the proxy socket; resolves once the proxy said 200. */
function tunnel(sock: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      const i = head.indexOf('\r\n\r\n');
      if (i < 0) return;
      c.removeListener('data', onData);
      if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(head));
      c.pause();
      const rest = Buffer.from(head.slice(i + 4), 'latin1');
      if (rest.length) c.unshift(rest);
      resolve(c);
    };
    c.on('data', onData);
    c.on('error', reject);
    c.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  });
}

/** Everything a socket receives until it closes. */
function collect(c: net.Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  c.on('data', (d: Buffer) => parts.push(d));
  c.resume();
  return new Promise((r) => c.on('close', () => r(Buffer.concat(parts))));
}

describe.skipIf(!RELAY)('native relay for bulk tunnels (paddock-relay)', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(async () => {
    delete process.env.PADDOCK_NATIVE;
    resetRelayLookup();
    await h.cleanup();
  });

  /** Uploads UP and downloads DOWN through one tunnel, both directions at once, with half-closes. */
  async function transfer(upBytes: number, downBytes: number): Promise<{ up: Buffer; down: Buffer; gotUp: Buffer; gotDown: Buffer }> {
    const up = randomBytes(upBytes);
    const down = randomBytes(downBytes);
    let gotUp: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const srv = await server((c) => {
      gotUp = collect(c);
      c.end(down); // sends everything, then half-closes; the socket closes once the client's side ended too
    });
    try {
      const sock = await h.open('alpha', `allow net 127.0.0.1:${srv.port}`);
      const c = await tunnel(sock, srv.port);
      const gotDown = collect(c);
      c.end(up);
      return { up, down, gotDown: await gotDown, gotUp: await gotUp };
    } finally {
      srv.close();
    }
  }

  it('hands a bulk tunnel over: every byte arrives intact both ways, and the event counts them exactly', async () => {
    const r = await transfer(6 * 2 ** 20 + 123, 24 * 2 ** 20 + 7);
    expect(sha(r.gotDown)).toBe(sha(r.down));
    expect(sha(r.gotUp)).toBe(sha(r.up));
    await waitFor(() => h.ofKind('net.allow', 'alpha').some((e) => e.bytesDown !== undefined), 5000, 'net.allow at close');
    const ev = h.ofKind('net.allow', 'alpha').find((e) => e.bytesDown !== undefined)!;
    expect(ev).toMatchObject({ relay: true, bytesUp: r.up.length, bytesDown: r.down.length });
    expect(ev.error).toBeUndefined();
  });

  it('runs at most MAX_RELAYS_PER_AGENT relays for one agent; its other bulk tunnels stay in Node, intact', async () => {
    const n = MAX_RELAYS_PER_AGENT + 4;
    const size = HANDOVER_BYTES * 2;
    const blob = randomBytes(size);
    const srv = await server((c) => c.write(blob)); // and stays open: each relay lives on
    const clients: net.Socket[] = [];
    try {
      const sock = await h.open('alpha', `allow net 127.0.0.1:${srv.port}`);
      const got: number[] = [];
      for (let i = 0; i < n; i++) {
        const c = await tunnel(sock, srv.port);
        clients.push(c);
        got.push(0);
        c.on('data', (d: Buffer) => (got[i]! += d.length));
        c.resume();
      }
      await waitFor(() => got.every((g) => g === size), 20_000, 'every tunnel got its bytes');
      const pids = procChildren(process.pid).filter((k) => readCmdline(k)?.[0]?.endsWith('paddock-relay'));
      expect(pids.length).toBe(MAX_RELAYS_PER_AGENT);
    } finally {
      for (const c of clients) c.destroy();
      srv.close();
    }
  });

  it('keeps small tunnels in the proxy (no relay below the hand-over size)', async () => {
    const r = await transfer(1000, HANDOVER_BYTES / 4);
    expect(sha(r.gotDown)).toBe(sha(r.down));
    await waitFor(() => h.ofKind('net.allow', 'alpha').some((e) => e.bytesDown !== undefined));
    const ev = h.ofKind('net.allow', 'alpha').find((e) => e.bytesDown !== undefined)!;
    expect(ev.relay).toBeUndefined();
    expect(ev).toMatchObject({ bytesUp: 1000, bytesDown: HANDOVER_BYTES / 4 });
  });

  it('PADDOCK_NATIVE=off keeps bulk tunnels in Node, with the same bytes and counts', async () => {
    process.env.PADDOCK_NATIVE = 'off';
    resetRelayLookup();
    const r = await transfer(3 * 2 ** 20, 8 * 2 ** 20);
    expect(r.gotDown.length).toBe(r.down.length);
    expect(r.gotUp.length).toBe(r.up.length);
    expect(sha(r.gotDown)).toBe(sha(r.down));
    expect(sha(r.gotUp)).toBe(sha(r.up));
    await waitFor(() => h.ofKind('net.allow', 'alpha').some((e) => e.bytesDown !== undefined));
    const ev = h.ofKind('net.allow', 'alpha').find((e) => e.bytesDown !== undefined)!;
    expect(ev.relay).toBeUndefined();
    expect(ev).toMatchObject({ bytesUp: r.up.length, bytesDown: r.down.length });
  });

  it.each([['relay', undefined], ['Node', 'off']])('half-closes pass through (%s): an upload continues after the server has answered and ended', async (_name, native) => {
    if (native) process.env.PADDOCK_NATIVE = native;
    resetRelayLookup();
    const r = await transfer(12 * 2 ** 20, 10);
    expect(r.gotDown.toString('hex')).toBe(r.down.toString('hex'));
    expect(r.gotUp.length).toBe(r.up.length);
    expect(sha(r.gotUp)).toBe(sha(r.up));
  });

  it('a relay that cannot start leaves the tunnel in Node: nothing lost', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-relay-'));
    try {
      copyFileSync(RELAY!, path.join(dir, 'paddock-relay'));
      process.env.PADDOCK_NATIVE = dir;
      resetRelayLookup();
      expect(relayBinary()).toBe(path.join(dir, 'paddock-relay'));
      unlinkSync(path.join(dir, 'paddock-relay')); // found at lookup, gone at spawn (ENOENT)
      const r = await transfer(2 * 2 ** 20, 8 * 2 ** 20);
      expect(sha(r.gotDown)).toBe(sha(r.down));
      expect(sha(r.gotUp)).toBe(sha(r.up));
      await waitFor(() => h.ofKind('net.allow', 'alpha').some((e) => e.bytesDown !== undefined));
      const ev = h.ofKind('net.allow', 'alpha').find((e) => e.bytesDown !== undefined)!;
      expect(ev.relay).toBeUndefined();
      expect(ev).toMatchObject({ bytesUp: r.up.length, bytesDown: r.down.length }); // the bytes taken for the relay are counted too
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an SSH banner from the server after the hand-over is caught by the relay: alert, nothing forwarded', async () => {
    const srv = await server((c) => {
      let n = 0;
      c.on('data', (d: Buffer) => {
        n += d.length;
        // The server stays silent until the tunnel was handed over, then speaks SSH first.
        if (n >= 2 * HANDOVER_BYTES && n - d.length < 2 * HANDOVER_BYTES) setTimeout(() => c.write('SSH-2.0-OpenSSH_9.2\r\n'), 200);
      });
    });
    try {
      const sock = await h.open('alpha', `allow net 127.0.0.1:${srv.port}`);
      const c = await tunnel(sock, srv.port);
      const got = collect(c);
      c.write(randomBytes(3 * HANDOVER_BYTES));
      const down = await got;
      expect(down.toString('latin1')).not.toContain('SSH-');
      await waitFor(() => h.ofKind('alert', 'alpha').some((a) => a.type === 'ssh-egress'));
      // Caught by the relay (usually) or, if the banner came while the proxy was handing over, by the proxy.
      await waitFor(() => h.ofKind('net.allow', 'alpha').some((e) => e.bytesDown !== undefined));
      expect(h.ofKind('net.allow', 'alpha').find((e) => e.bytesDown !== undefined)).toMatchObject({ bytesDown: 0 });
    } finally {
      srv.close();
    }
  });

  it('an SSH banner from the client after the hand-over is caught too, and never reaches the server', async () => {
    let received = Buffer.alloc(0);
    const srv = await server((c) => {
      c.write(randomBytes(2 * HANDOVER_BYTES));
      c.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    });
    try {
      const sock = await h.open('alpha', `allow net 127.0.0.1:${srv.port}`);
      const c = await tunnel(sock, srv.port);
      let n = 0;
      c.on('data', (d: Buffer) => {
        n += d.length;
        if (n === 2 * HANDOVER_BYTES) setTimeout(() => c.write('SSH-2.0-OpenSSH_9.2\r\n'), 200);
      });
      const got = collect(c);
      await got;
      await waitFor(() => h.ofKind('alert', 'alpha').some((a) => a.type === 'ssh-egress'));
      expect(received.toString('latin1')).not.toContain('SSH-');
      await waitFor(() => h.ofKind('net.allow', 'alpha').some((e) => e.bytesDown !== undefined));
      expect(h.ofKind('net.allow', 'alpha').find((e) => e.bytesDown !== undefined)).toMatchObject({ bytesUp: 0 });
    } finally {
      srv.close();
    }
  });

  it('switching the network off cuts a relayed tunnel at once and logs what it carried', async () => {
    const chunk = Buffer.alloc(256 * 1024, 1);
    const srv = await server((c) => {
      const pump = (): void => {
        while (!c.destroyed && c.write(chunk));
        if (!c.destroyed) c.once('drain', pump);
      };
      pump();
    });
    try {
      const sock = await h.open('alpha', `allow net 127.0.0.1:${srv.port}`);
      const c = await tunnel(sock, srv.port);
      let n = 0;
      const closed = new Promise<void>((r) => c.on('close', () => r()));
      c.on('data', (d: Buffer) => (n += d.length));
      c.resume();
      await waitFor(() => n >= 8 * HANDOVER_BYTES, 10_000, 'a bulk download');
      h.egress.setNetwork('alpha', false);
      await closed;
      await waitFor(() => h.ofKind('net.allow', 'alpha').some((e) => e.bytesDown !== undefined));
      const ev = h.ofKind('net.allow', 'alpha').find((e) => e.bytesDown !== undefined)!;
      expect(ev.relay).toBe(true);
      expect(ev.bytesDown).toBeGreaterThanOrEqual(n);
      expect(h.egress.proxy('alpha')!.connections).toBe(0);
    } finally {
      srv.close();
    }
  });

  /** The relay processes this test process started (spawned from its main thread). */
  const relayPids = (): number[] => procChildren(process.pid).filter((k) => readCmdline(k)?.[0]?.endsWith('paddock-relay'));

  it('waits without spinning when the agent half-closes and stops reading while the server sends more and ends', async () => {
    const scenario = 'halfclose' as 'halfclose' | 'other';
    const srv = await server((c) => {
      if (scenario === 'halfclose') {
        c.write(randomBytes(2 * HANDOVER_BYTES));
        c.on('end', () => c.end(randomBytes(2 * HANDOVER_BYTES)));
        c.resume();
      } else {
        c.write(randomBytes(2 * HANDOVER_BYTES)); // enough to hand over; then it never reads
        c.pause();
      }
    });
    try {
      const sock = await h.open('alpha', `allow net 127.0.0.1:${srv.port}`);
      const c = await tunnel(sock, srv.port);
      c.on('error', () => c.destroy());
      let n = 0;
      c.on('data', (d: Buffer) => (n += d.length));
      c.resume();
      await waitFor(() => n >= 2 * HANDOVER_BYTES, 5000, 'the first download');
      await waitFor(() => relayPids().length > 0, 5000, 'the hand-over to the relay');
      if (scenario === 'halfclose') {
        c.pause();
        c.end();
      } else {
        for (let i = 0; i < 5000; i++) c.write(randomBytes(64));
      }
      await new Promise((r) => setTimeout(r, 300));
      const [pid] = relayPids();
      expect(pid).toBeDefined();
      const before = procCpuTicks(pid!);
      await new Promise((r) => setTimeout(r, 1000));
      // A spinning relay burns ~100 ticks per second; a waiting one next to none.
      expect(procCpuTicks(pid!) - before).toBeLessThan(20);
      expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toMatch(/\) [RS] /); // still there, waiting (not exited)
      c.destroy();
    } finally {
      srv.close();
    }
  });

  /** Two connected loopback socket pairs and the relay on their inner ends (fd 3 client side, fd 4 upstream side). */
  async function relayOnPairs(args: string[]): Promise<{ agent: net.Socket; server: net.Socket; exit: Promise<number | null>; report: Promise<string> }> {
    const pair = async (): Promise<[net.Socket, net.Socket]> => {
      let inner: net.Socket | null = null;
      const srv = net.createServer((c) => (inner = c));
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      const outer = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
      outer.on('error', () => outer.destroy());
      await new Promise<void>((r) => outer.once('connect', () => r()));
      await waitFor(() => inner !== null);
      inner!.on('error', () => inner!.destroy());
      srv.close();
      return [outer, inner!];
    };
    const [agent, clientEnd] = await pair();
    const [server, upstreamEnd] = await pair();
    const child = spawn(RELAY!, ['--parent', String(process.pid), ...args], { stdio: ['pipe', 'pipe', 'inherit', clientEnd, upstreamEnd] });
    child.stdin!.end('0 0\n');
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => child.once('spawn', r));
    clientEnd.destroy();
    upstreamEnd.destroy();
    const exit = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    return { agent, server, exit, report: exit.then(() => out) };
  }

  it.each([['--check-down', 'server'], ['--check-up', 'agent']] as const)('%s: an SSH banner as the first bytes ends the relay with exit 3 and is not forwarded', async (flag, speaker) => {
    const r = await relayOnPairs([flag]);
    const got = { agent: collect(r.agent), server: collect(r.server) };
    r[speaker].write('SSH-2.0-OpenSSH_9.2\r\n');
    expect(await r.exit).toBe(3);
    expect(await r.report).toBe('0 0\n');
    const other = speaker === 'server' ? got.agent : got.server;
    expect((await other).length).toBe(0);
  });

  it('waits without spinning when its pipe is full of small chunks and the server does not read', async () => {
    const r = await relayOnPairs([]);
    r.server.pause();
    const small = Buffer.alloc(64, 3);
    const end = Date.now() + 2500; // long enough to fill the server's socket buffers
    while (Date.now() < end) {
      for (let i = 0; i < 200; i++) r.agent.write(small);
      await new Promise((res) => setTimeout(res, 1));
    }
    await new Promise((res) => setTimeout(res, 200));
    const pid = relayPids()[0]!;
    const before = procCpuTicks(pid);
    await new Promise((res) => setTimeout(res, 1000));
    expect(procCpuTicks(pid) - before).toBeLessThan(20);
    r.agent.destroy();
    r.server.destroy();
    await r.exit;
  });

  it('without a check flag the same banner is just bytes (an SSH rule was written for it): exit 0, counted', async () => {
    const r = await relayOnPairs([]);
    const got = collect(r.agent);
    r.server.end('SSH-2.0-OpenSSH_9.2\r\n');
    r.agent.end();
    expect((await got).toString()).toBe('SSH-2.0-OpenSSH_9.2\r\n');
    expect(await r.exit).toBe(0);
    expect(await r.report).toBe('0 21\n');
  });

  it('the relay dies with its parent (a tunnel never outlives Paddock)', async () => {
    // sh starts the relay (stdin: an open pipe, so it waits for its header) and is then SIGKILLed.
    const sh = spawn('sh', ['-c', 'exec 5<&0; "$0" <&5 3</dev/null 4</dev/null & echo $!; exec sleep 30', RELAY!], { stdio: ['pipe', 'pipe', 'ignore'] });
    const pid = await new Promise<number>((r) => sh.stdout!.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
    const alive = (): boolean => {
      try {
        return /^State:\s+[RSDT]/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    };
    await new Promise((r) => setTimeout(r, 200));
    expect(alive()).toBe(true); // waiting for its header on the open pipe
    // The relay is sh's child until sh dies; then PR_SET_PDEATHSIG kills it.
    sh.kill('SIGKILL');
    await waitFor(() => !alive(), 2000, 'the relay to die with its parent');
  });
});
