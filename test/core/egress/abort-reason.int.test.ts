/**
 * A client that goes away while its connection waits for an answer withdraws its ask with the one
 * shared reason (CLIENT_GONE), not a DOMException built with a stack per connection (issue 17 goal 3:
 * the per-connection garbage lands in the proxy's p99 through V8 scavenges).
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_GONE } from '../../../src/core/egress/approvals.js';
import type { ApprovalRequest } from '../../../src/core/egress/types.js';
import { harness, rawExchange, startServer, waitFor, type Harness, type TestServer } from './harness.js';

describe('a client going away aborts its pending ask with the shared reason', () => {
  let h: Harness;
  let srv: TestServer;
  let signals: AbortSignal[];
  beforeEach(async () => {
    h = harness();
    srv = await startServer('127.0.0.1');
    signals = [];
    const request = h.queue.request.bind(h.queue);
    vi.spyOn(h.queue, 'request').mockImplementation((req: ApprovalRequest) => {
      if (req.signal) signals.push(req.signal);
      return request(req);
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await srv.close();
    await h.cleanup();
  });

  const gone = async (sock: string, first: Buffer | string): Promise<AbortSignal> => {
    const c = net.connect(sock);
    c.on('error', () => {});
    c.write(first);
    await waitFor(() => h.queue.list().length === 1, 5000, 'an ask pending');
    c.destroy();
    expect(signals).toHaveLength(1);
    await waitFor(() => signals[0]!.aborted, 5000, 'the ask withdrawn');
    return signals[0]!;
  };

  it('CONNECT', async () => {
    const sock = await h.open('alpha', `ask net 127.0.0.1:${srv.port}`);
    const s = await gone(sock, `CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\n\r\n`);
    expect(s.aborted).toBe(true);
    expect(s.reason).toBe(CLIENT_GONE);
    expect(srv.connections).toBe(0);
  });

  it('SOCKS5', async () => {
    const sock = await h.open('alpha', `ask net 127.0.0.1:${srv.port}`);
    const port = Buffer.alloc(2);
    port.writeUInt16BE(srv.port);
    const s = await gone(sock, Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1]), port]));
    expect(s.reason).toBe(CLIENT_GONE);
  });

  it('plain HTTP', async () => {
    const sock = await h.open('alpha', `ask net 127.0.0.1:${srv.port}`);
    const s = await gone(sock, `GET http://127.0.0.1:${srv.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n\r\n`);
    expect(s.reason).toBe(CLIENT_GONE);
  });

  it('positive control: an answered ask still connects', async () => {
    const sock = await h.open('alpha', `ask net 127.0.0.1:${srv.port}`);
    const r = rawExchange(sock, `GET http://127.0.0.1:${srv.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nConnection: close\r\n\r\n`);
    await waitFor(() => h.queue.list().length === 1, 5000, 'an ask pending');
    await h.queue.answer(h.queue.list()[0]!.id, 'once');
    expect(await r).toMatch(/^HTTP\/1\.1 200[^]*hello GET/);
  });
});
