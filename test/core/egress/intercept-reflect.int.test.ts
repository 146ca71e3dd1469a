/**
 * Header secrets reflected back (issue 13 item 3), over real sockets on loopback: a bound HTTPS
 * server that echoes the request's headers (in a response header and in bodies of every
 * framing and content coding) must never hand the real value to the agent.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compilePolicy, parseRules } from '../../../src/core/policy/index.js';
import { createAgentCa } from '../../../src/core/vault/ca.js';
import { newPlaceholder, type HeaderBinding } from '../../../src/core/vault/inject.js';
import { DECODE_MAX } from '../../../src/core/egress/intercept-response.js';
import { echoServer, type EchoServer } from '../../helpers/https-echo.js';
import { curl, harness, startServer, tcpBridge, type Harness, type TestServer } from './harness.js';

const SECRET = 'sk-real-value-reflected-0123456789';

describe('header secrets reflected by the bound host', () => {
  const upstreamCa = createAgentCa('test-upstream');
  const leafFor = (name: string): { key: string; cert: string } => {
    const l = upstreamCa.issue(name);
    return { key: l.keyPem, cert: l.certPem };
  };
  let h: Harness;
  let srv: EchoServer;
  let plainSrv: TestServer;
  let caFile: string;
  let binding: HeaderBinding;
  let px: { proxy: string; close(): Promise<void> };
  let base: string;

  beforeEach(async () => {
    // Every alert logged, none pausing: one agent tries every reflection in turn.
    h = harness({ upstreamCa: [upstreamCa.certPem], alerts: { repeatWindowMs: 0, types: { 'secret-exfil': { autoPause: false } } } });
    srv = await echoServer(upstreamCa, 'api.bound.test');
    // A plain-HTTP page of another allowed host that published the value it was once given.
    plainSrv = await startServer('127.0.0.1', (req, res) => {
      const body = zlib.gzipSync(`leaked: ${SECRET}\n`);
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length, 'x-leak': SECRET });
      res.end(body);
    });
    h.names.set('api.bound.test', [{ address: '127.0.0.1', family: 4 }]);
    h.names.set('plain.test', [{ address: '127.0.0.1', family: 4 }]);
    const agentCa = createAgentCa('alpha');
    caFile = path.join(h.dir, 'agent-ca.pem');
    writeFileSync(caFile, agentCa.certPem);
    binding = { name: 'API_KEY', hosts: ['api.bound.test'], header: 'Authorization: Bearer {}', placeholder: newPlaceholder(), value: SECRET };
    const text = `allow net api.bound.test:*\nallow net 127.0.0.1:${srv.port}\nallow net plain.test:*\nallow net 127.0.0.1:${plainSrv.port}`;
    h.rules.set('alpha', text);
    const r = await h.egress.open({ agent: 'alpha', socketDir: path.join(h.dir, 'run', 'alpha'), policy: compilePolicy(parseRules(text).rules), mode: 'proxy', secrets: { bindings: [binding], ca: agentCa } });
    const b = await tcpBridge(r.socketPath);
    px = { proxy: `http://127.0.0.1:${b.port}`, close: () => b.close() };
    base = `https://api.bound.test:${srv.port}`;
  });
  afterEach(async () => {
    await px.close();
    await srv.close();
    await plainSrv.close();
    await h.cleanup();
  });

  const get = (args: string[]): ReturnType<typeof curl> => curl(['-x', px.proxy, '--cacert', caFile, '-H', `Authorization: Bearer ${binding.placeholder}`, ...args]);
  /** The body (to a file: curl's output can exceed execFile's 1 MiB buffer). */
  let n = 0;
  const fetchTo = async (args: string[]): Promise<string> => {
    const file = path.join(h.dir, `out-${++n}`);
    const r = await get(['-o', file, ...args]);
    expect(r.err).toBe('');
    return readFileSync(file, 'latin1');
  };
  const reflections = (): unknown[] => h.ofKind('alert', 'alpha').filter((e) => e.type === 'secret-exfil' && e.reflected === true);

  it('injects only into the declared header: X-Debug keeps the placeholder upstream; the echoed value comes back as the placeholder, with an alert', async () => {
    const r = await get(['-D', '-', '-H', `X-Debug: ${binding.placeholder}`, `${base}/echo`]);
    expect(srv.seen[0]!.headers['x-debug']).toBe(binding.placeholder);
    expect(srv.seen[0]!.headers.authorization).toBe(`Bearer ${SECRET}`); // positive control
    expect(r.out).not.toContain(SECRET);
    expect(r.out).toMatch(new RegExp(`x-echo: Bearer ${binding.placeholder}`, 'i'));
    expect(r.out).toContain(`"authorization":"Bearer ${binding.placeholder}"`);
    expect(reflections()[0]).toMatchObject({ type: 'secret-exfil', secrets: ['API_KEY'], host: 'api.bound.test' });
  });

  it('catches percent-encoded and base64 reflections, and the value inside reflected Basic credentials', async () => {
    const url = await get([`${base}/echo?fmt=url`]);
    expect(url.out).not.toContain(encodeURIComponent(SECRET));
    expect(decodeURIComponent(url.out.slice(4))).toContain(`"authorization":"Bearer ${binding.placeholder}"`);
    const b64 = await get([`${base}/echo?fmt=b64`]);
    expect(Buffer.from(b64.out.slice(4), 'base64').toString('latin1')).not.toContain(SECRET.slice(2, -2));
    const basic = await curl(['-x', px.proxy, '--cacert', caFile, '-u', `x-access-token:${binding.placeholder}`, `${base}/echo`]);
    const auth = srv.seen.at(-1)!.headers.authorization as string;
    expect(Buffer.from(auth.slice(6), 'base64').toString()).toBe(`x-access-token:${SECRET}`); // positive control: injected
    const echoed = /"authorization":"Basic ([^"]+)"/.exec(basic.out)![1]!;
    expect(Buffer.from(echoed, 'base64').toString('latin1')).not.toContain(SECRET.slice(2, -2));
    expect(reflections().length).toBeGreaterThanOrEqual(3);
  });

  it('a plain-HTTP response carrying the value (another allowed host that published it) is scrubbed too', async () => {
    const r = await curl(['-x', px.proxy, '--compressed', '-D', '-', `http://plain.test:${plainSrv.port}/page`]);
    expect(r.out).not.toContain(SECRET);
    expect(r.out).toContain(`leaked: ${binding.placeholder}`);
    expect(r.out).toMatch(new RegExp(`x-leak: ${binding.placeholder}`, 'i'));
    expect(reflections()[0]).toMatchObject({ via: 'http', host: 'plain.test' });
  });

  it('refuses TRACE and TRACK on intercepted connections; the server never sees them', async () => {
    const t = await get(['-X', 'TRACE', `${base}/`]);
    expect(t.out).toContain('TRACE is refused');
    const k = await get(['-X', 'TRACK', `${base}/`]);
    expect(k.out).toContain('request method is refused');
    expect(srv.seen).toHaveLength(0);
    expect(t.out + k.out).not.toContain(SECRET);
  });

  it('scrubs chunked, keep-alive, 100-continue and every content coding it can decode', async () => {
    const cases = ['frame=chunked', 'enc=gzip', 'enc=deflate', 'enc=deflate-raw', 'enc=br', 'enc=gzip&frame=chunked', 'enc=br&frame=chunked', `pad=${2 * 1024 * 1024}`, `pad=${2 * 1024 * 1024}&frame=chunked`];
    for (const c of cases) {
      const out = await fetchTo(['--compressed', `${base}/echo?${c}`]);
      expect(out, c).toContain(`"authorization":"Bearer ${binding.placeholder}"`);
      expect(out, c).not.toContain(SECRET);
    }
    // Two requests on one kept-alive connection, and a body sent after 100 Continue.
    const ka = await get([`${base}/echo?n=1`, `${base}/echo?n=2&frame=chunked`]);
    expect(ka.out.match(new RegExp(binding.placeholder, 'g'))).toHaveLength(2);
    const ex = await get(['-H', 'Expect: 100-continue', '--data-binary', 'x'.repeat(2000), `${base}/echo?post=1`]);
    expect(ex.out).toContain(`"expect":"100-continue"`);
    expect(ka.out + ex.out).not.toContain(SECRET);
    expect(reflections().length).toBeGreaterThanOrEqual(cases.length + 3);
  });

  it('a compressed body past the decode cap streams decoded and scrubbed', async () => {
    const head = path.join(h.dir, 'head.txt');
    const out = await fetchTo(['--compressed', '-D', head, `${base}/echo?enc=gzip&pad=${DECODE_MAX + 1024}`]);
    expect(readFileSync(head, 'utf8')).not.toMatch(/content-encoding/i);
    expect(out.startsWith('p'.repeat(DECODE_MAX + 1024))).toBe(true);
    expect(out).toContain(`"authorization":"Bearer ${binding.placeholder}"`);
    expect(out).not.toContain(SECRET);
  });

  it('a body in a coding it cannot decode is refused, and Accept-Encoding only offers decodable ones', async () => {
    const r = await get(['-H', 'Accept-Encoding: zstd, gzip;q=0.5, *', `${base}/echo?enc=zstd`]);
    expect(r.out).toContain('"zstd" content coding');
    expect(r.out).not.toContain(SECRET);
    expect(srv.seen[0]!.headers['accept-encoding']).toBe('gzip;q=0.5');
  });

  it('positive control: a stream that has not ended reaches the agent as it comes (event stream; gzip stream), scrubbed', async () => {
    for (const gzip of [false, true]) {
      let finish: () => void = () => undefined;
      const stream = https.createServer({ ...leafFor('stream.test') }, (_req, res) => {
        res.writeHead(200, { 'content-type': gzip ? 'application/x-ndjson' : 'text/event-stream', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
        const z = gzip ? zlib.createGzip() : null;
        const write = (t: string): void => void (z ? (z.write(t), z.flush()) : res.write(t));
        z?.pipe(res);
        write(`data: first ${SECRET}\n\n`);
        finish = () => (z ? z.end('data: last\n\n') : res.end('data: last\n\n'));
      });
      await new Promise<void>((r) => stream.listen(0, '127.0.0.1', () => r()));
      const port = (stream.address() as AddressInfo).port;
      h.names.set('stream.test', [{ address: '127.0.0.1', family: 4 }]);
      const text = `allow net stream.test:*\nallow net 127.0.0.1:${port}`;
      h.rules.set('alpha', text);
      h.egress.setPolicy('alpha', compilePolicy(parseRules(text).rules));
      const child = spawn('curl', ['-sSN', '--compressed', '-x', px.proxy, '--cacert', caFile, `https://stream.test:${port}/`]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      // The first event arrives while the server still holds the stream open (a buffering proxy would hang here).
      while (!out.includes('data: first')) await new Promise((r) => setTimeout(r, 20));
      expect(out).toContain(`data: first ${binding.placeholder}`);
      finish();
      await new Promise((r) => child.on('close', r));
      expect(out).toContain('data: last');
      expect(out).not.toContain(SECRET);
      stream.closeAllConnections();
      stream.close();
    }
  });

  it('positive control: clean responses pass unchanged (compressed ones byte for byte, large ones in full)', async () => {
    for (const enc of ['gzip', 'br']) {
      const file = path.join(h.dir, `clean.${enc}`);
      const r = await get(['-o', file, '-w', '%{http_code}', `${base}/clean?clean=1&enc=${enc}`]);
      expect(r.out).toBe('200');
      const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
      expect(sha(readFileSync(file))).toBe(sha(srv.sent.at(-1)!));
    }
    for (const frame of ['chunked', 'length']) {
      const big = await fetchTo([`${base}/clean?clean=1&pad=${3 * 1024 * 1024}&frame=${frame}`]);
      expect(big).toBe(`${'p'.repeat(3 * 1024 * 1024)}nothing to see\n`);
    }
    expect(reflections()).toEqual([]);
  });
});
