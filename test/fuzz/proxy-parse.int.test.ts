// Fuzzing the egress proxy's request parsing through its real Unix socket (test/core/egress/harness.ts:
// loopback-only test servers, a recording dialer). Random request heads and bytes must be refused
// (4xx, or a SOCKS refusal, or a closed connection), never dialled, and the proxy must keep working.
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, rawExchange, startServer, type Harness, type TestServer } from '../core/egress/harness.js';
import { fcOptions, fuzzRuns, fuzzTimeout } from './budget.js';

const RUNS = fuzzRuns();
let h: Harness;
let srv: TestServer;
let sock: string;
beforeAll(async () => {
  h = harness();
  srv = await startServer('127.0.0.1');
  h.names.set('app.test', [{ address: '127.0.0.1', family: 4 }]);
  // The only allowed destination; the fuzzer never names it, so nothing may ever be dialled.
  sock = await h.open('fuzz', `allow net app.test:${srv.port}\nallow net 127.0.0.1:${srv.port}`);
});
afterAll(async () => {
  await srv?.close();
  await h?.cleanup();
});

/** Writes `data`, half-closes, and collects the answer until the proxy closes (or 5 s pass). */
function exchange(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(sock);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer within 5 s to ${JSON.stringify(data.toString('latin1').slice(0, 200))}`));
    }, 5000);
    s.on('connect', () => s.end(data));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    s.on('error', () => undefined); // a reset by the proxy is a refusal too
  });
}

const token = fc.constantFrom('GET', 'CONNECT', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PRI', 'get', ' ', '  ', '\t', '/', '*', 'http://', 'https://', '//', ':', ':80', ':443', ':0', ':99999', '@', '#', '?', '%00', '%2e%2e', '\\', '[', ']', '::1', '127.0.0.1', '0x7f.1', 'evil.test', 'localhost', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', '\r\n', '\n', '\r', 'Host:', 'Content-Length:', 'Transfer-Encoding: chunked', 'Proxy-Authorization:', 'Connection: upgrade', '\u0000', '\u00ff', 'é');
const garbageHead = fc.oneof(
  fc.array(fc.oneof(token, fc.string({ maxLength: 6 })), { maxLength: 30 }).map((a) => a.join('')),
  fc.tuple(fc.constantFrom('GET', 'CONNECT', 'POST', 'HEAD', 'FOO', ''), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('http://[::1', 'http://:80/', 'evil.test', 'http://evil.test:-1/', 'http://a b/', '*', 'app.test', ':443')), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/1.1 x', ''), fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })), { maxLength: 4 }))
    .map(([m, t, v, hs]) => `${m} ${t} ${v}\r\n${hs.map(([k, x]) => `${k}: ${x}`).join('\r\n')}`),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const input = fc.oneof(
  { weight: 4, arbitrary: garbageHead.map((s) => Buffer.from(`${s}\r\n\r\n`, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
  // SOCKS5 greetings and requests with random fields.
  { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 40 })).map(([g, r]) => Buffer.from([0x05, ...g, 0x05, ...r])) },
);

describe('fuzz: egress proxy request parsing', () => {
  it(`refuses ${RUNS} random heads without dialling, and keeps serving`, async () => {
    await fc.assert(
      fc.asyncProperty(input, async (data) => {
        const before = h.dials.length;
        const out = await exchange(data);
        expect(h.dials.length).toBe(before); // garbage never opens a connection anywhere
        const text = out.toString('latin1');
        if (data[0] === 0x05) {
          // SOCKS: no answer, a method choice/refusal (2 bytes), then at most a reply whose REP is not success (0x00).
          if (out.length >= 4) expect(out[3]).not.toBe(0x00);
          return;
        }
        if (out.length === 0) return; // closed without an answer: refused
        const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
        expect(status, JSON.stringify(text.slice(0, 120))).not.toBeNull();
        const code = Number(status![1]);
        expect(code === 400 || code === 403 || code === 405 || code === 407 || code === 501 || code === 502 || code === 505 || (code >= 400 && code < 500)).toBe(true);
      }),
      fcOptions(RUNS),
    );
    // Still alive and still correct for a legitimate request.
    const ok = await rawExchange(sock, `GET http://app.test:${srv.port}/alive HTTP/1.1\r\nHost: app.test:${srv.port}\r\nConnection: close\r\n\r\n`);
    expect(ok).toMatch(/^HTTP\/1\.1 200 /);
    expect(ok).toContain('hello GET /alive');
  }, fuzzTimeout(RUNS, 2));
});
