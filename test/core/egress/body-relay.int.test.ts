/**
 * Plain-HTTP request bodies through the native relay (issue 17, egress/body-relay.ts). Real proxy,
 * real relay, loopback servers only. Asserted: a large Content-Length body arrives upstream byte
 * for byte and is counted; the connection then closes (a request pipelined after the body is never
 * read, so never forwarded unvetted); switching the network off cuts an upload in the relay.
 * Positive controls: a small body stays in Node with keep-alive, the next request on the connection
 * decided on its own; without the relay (PADDOCK_NATIVE=off) the same upload works in Node.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { relayBinary, resetRelayLookup } from '../../../src/core/egress/relay.js';
import { harness, waitFor, type Harness } from './harness.js';

/** An upstream that answers each POST with the length and sha256 of the body it received. */
async function sink(): Promise<{ port: number; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const h = createHash('sha256');
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      h.update(c);
    });
    req.on('end', () => res.end(`got ${n} ${h.digest('hex')}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Writes raw bytes on the agent's socket and collects the reply until the peer closes (or `ms`). */
function raw(sock: string, parts: Buffer[], ms = 10_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(sock);
    let text = '';
    const t = setTimeout(() => {
      s.destroy();
      resolve({ text, closed: false });
    }, ms);
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(t);
      resolve({ text, closed: true });
    });
    s.on('connect', () => {
      for (const p of parts) s.write(p);
    });
  });
}

const post = (port: number, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`POST http://127.0.0.1:${port}/up HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: ${body.length}\r\n\r\n`), body]);

describe.skipIf(!relayBinary())('plain-HTTP request bodies through the relay', () => {
  let h: Harness;
  let up: Awaited<ReturnType<typeof sink>>;
  beforeEach(async () => {
    h = harness();
    up = await sink();
  });
  afterEach(async () => {
    delete process.env.PADDOCK_NATIVE;
    resetRelayLookup();
    await up.close();
    await h.cleanup();
  });

  it('a 6 MiB body arrives whole; the connection then closes, so a pipelined second request is never read', async () => {
    const sock = await h.open('uploader', `allow net 127.0.0.1:${up.port}`);
    const body = randomBytes(6 << 20);
    const second = Buffer.from(`GET http://127.0.0.1:${up.port}/smuggled HTTP/1.1\r\nHost: 127.0.0.1:${up.port}\r\n\r\n`);
    const r = await raw(sock, [post(up.port, body), second]);
    expect(r.text).toContain(`got ${body.length} ${createHash('sha256').update(body).digest('hex')}`);
    expect(r.text).toMatch(/^connection: close\r$/im);
    expect(r.closed).toBe(true);
    expect(up.requests).toEqual(['POST /up']); // the pipelined GET went nowhere
    h.egress.events.flush();
    const allow = h.ofKind('net.allow', 'uploader')[0] as { bytesUp?: number } | undefined;
    expect(allow?.bytesUp).toBe(body.length);
    expect(h.egress.proxy('uploader')!.slotsInUse('relay')).toBe(0); // the slot was given back
  });

  it('positive control: a small body stays in Node, keep-alive, and the next request is decided on its own', async () => {
    const sock = await h.open('small', `allow net 127.0.0.1:${up.port}`);
    const body = randomBytes(1000);
    const second = Buffer.from(`GET http://denied.test/x HTTP/1.1\r\nHost: denied.test\r\n\r\n`);
    const r = await raw(sock, [post(up.port, body), second], 3000);
    expect(r.text).toContain(`got 1000 `);
    expect(r.text).toMatch(/HTTP\/1\.1 403/); // the second request was read and refused (no rule names it)
    expect(up.requests).toEqual(['POST /up']);
  });

  it('without the relay (PADDOCK_NATIVE=off) the same upload goes through Node, byte for byte', async () => {
    process.env.PADDOCK_NATIVE = 'off';
    resetRelayLookup();
    const sock = await h.open('noderelay', `allow net 127.0.0.1:${up.port}`);
    const body = randomBytes(3 << 20);
    const r = await raw(sock, [post(up.port, body)], 5000);
    expect(r.text).toContain(`got ${body.length} ${createHash('sha256').update(body).digest('hex')}`);
  });

  it('switching the network off cuts an upload in the relay at once', async () => {
    const sock = await h.open('cut', `allow net 127.0.0.1:${up.port}`);
    const total = 64 << 20;
    const s = net.connect(sock);
    let closed = false;
    s.on('error', () => undefined);
    s.on('close', () => (closed = true));
    await new Promise<void>((r) => s.on('connect', () => r()));
    s.write(`POST http://127.0.0.1:${up.port}/up HTTP/1.1\r\nHost: 127.0.0.1:${up.port}\r\nContent-Length: ${total}\r\n\r\n`);
    s.write(randomBytes(2 << 20)); // the rest never comes: the upload is in progress
    await waitFor(() => h.egress.proxy('cut')!.slotsInUse('relay') === 1, 5000, 'the relay to take the body');
    h.egress.setNetwork('cut', false);
    await waitFor(() => closed, 3000, 'the client connection to be cut');
    await waitFor(() => h.egress.proxy('cut')!.slotsInUse('relay') === 0, 3000, 'the relay to end');
  });
});
