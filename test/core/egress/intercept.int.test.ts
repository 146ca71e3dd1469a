/**
 * TLS interception for header secrets, end to end over real sockets (loopback only): curl
 * through the agent's proxy socket, trusting only the agent's CA, talks to loopback HTTPS
 * servers whose certificates come from a separate test upstream CA.
 */
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compilePolicy, parseRules } from '../../../src/core/policy/index.js';
import { createAgentCa, type AgentCa } from '../../../src/core/vault/ca.js';
import { newPlaceholder, type HeaderBinding } from '../../../src/core/vault/inject.js';
import type { EgressSecrets } from '../../../src/core/egress/types.js';
import { curl, harness, startServer, tcpBridge, type Harness, type TestServer } from './harness.js';



/** A loopback HTTPS server with a leaf for `name` from `ca`; records the headers and URL of every request. */
interface HttpsServer {
  port: number;
  seen: { url: string; headers: Record<string, string | string[] | undefined>; body: string }[];
  close(): Promise<void>;
}

async function httpsServer(ca: AgentCa, name: string): Promise<HttpsServer> {
  const leaf = ca.issue(name);
  const seen: HttpsServer['seen'] = [];
  const server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      const text = `hello from ${name} ${req.method} ${req.url}\n`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('TLS interception for header secrets', () => {
  const upstreamCa = createAgentCa('test-upstream'); // plays the public roots
  const rogueCa = createAgentCa('rogue'); // a CA nobody trusts
  let h: Harness;
  let bound: HttpsServer;
  let other: HttpsServer;
  let rogue: HttpsServer;
  let plainSrv: TestServer;
  let agentCa: AgentCa;
  let caFile: string;
  let binding: HeaderBinding;
  let basic: HeaderBinding;
  let uses: { name: string; host: string }[];
  let decisions: Map<string, boolean>;
  const secret = 'sk-real-value-0123456789';

  beforeEach(async () => {
    h = harness({ upstreamCa: [upstreamCa.certPem] });
    bound = await httpsServer(upstreamCa, 'api.bound.test');
    other = await httpsServer(upstreamCa, 'other.test');
    rogue = await httpsServer(rogueCa, 'rogue.test');
    plainSrv = await startServer('127.0.0.1');
    for (const n of ['api.bound.test', 'other.test', 'rogue.test', 'plain.test']) h.names.set(n, [{ address: '127.0.0.1', family: 4 }]);
    agentCa = createAgentCa('alpha');
    caFile = path.join(h.dir, 'agent-ca.pem');
    writeFileSync(caFile, agentCa.certPem);
    binding = { name: 'API_KEY', hosts: ['api.bound.test'], header: 'Authorization: Bearer {}', placeholder: newPlaceholder(), value: secret };
    basic = { name: 'GIT_TOKEN', hosts: [`other.test:${other.port}`], header: 'Authorization: Basic {}', placeholder: newPlaceholder(), value: 'ghp-real-token' };
    uses = [];
    decisions = new Map();
  });
  afterEach(async () => {
    await Promise.all([bound.close(), other.close(), rogue.close(), plainSrv.close()]);
    await h.cleanup();
  });

  async function open(extra: Partial<EgressSecrets> = {}): Promise<{ proxy: string; close(): Promise<void> }> {
    const ports = [bound.port, other.port, rogue.port, plainSrv.port];
    const text = [
      ...['api.bound.test', 'other.test', 'rogue.test', 'plain.test'].map((n) => `allow net ${n}:*`),
      'allow net *.other.test:*',
      ...ports.map((p) => `allow net 127.0.0.1:${p}`),
    ].join('\n');
    h.rules.set('alpha', text);
    const secrets: EgressSecrets = {
      bindings: [binding, basic],
      ca: agentCa,
      onUse: (name, host) => void uses.push({ name, host }),
      decide: (name) => Promise.resolve(decisions.get(name) ?? true),
      ...extra,
    };
    const r = await h.egress.open({ agent: 'alpha', socketDir: path.join(h.dir, 'run', 'alpha'), policy: compilePolicy(parseRules(text).rules), mode: 'proxy', secrets });
    const b = await tcpBridge(r.socketPath);
    return { proxy: `http://127.0.0.1:${b.port}`, close: () => b.close() };
  }

  it('injects the real value for the bound host (CONNECT, keep-alive), verifies upstream, reports each use', async () => {
    const px = await open();
    try {
      const url = `https://api.bound.test:${bound.port}`;
      const r = await curl(['-x', px.proxy, '--cacert', caFile, '-H', `Authorization: Bearer ${binding.placeholder}`, `${url}/one`, `${url}/two`]);
      expect(r.err).toBe('');
      expect(r.out).toContain('hello from api.bound.test GET /one');
      expect(r.out).toContain('hello from api.bound.test GET /two');
      expect(bound.seen.map((s) => s.headers.authorization)).toEqual([`Bearer ${secret}`, `Bearer ${secret}`]);
      expect(uses).toEqual([{ name: 'API_KEY', host: `api.bound.test:${bound.port}` }, { name: 'API_KEY', host: `api.bound.test:${bound.port}` }]);
      // A POST with a chunked body passes through intact.
      const p = await curl(['-x', px.proxy, '--cacert', caFile, '-H', 'Transfer-Encoding: chunked', '--data-binary', 'payload-123', `${url}/post`]);
      expect(p.out).toContain('POST /post');
      expect(bound.seen.at(-1)!.body).toBe('payload-123');
    } finally {
      await px.close();
    }
    expect(h.ofKind('alert')).toEqual([]);
    h.egress.events.flush();
    expect(h.ofKind('net.allow', 'alpha').some((e) => e.intercepted === true && e.host === 'api.bound.test')).toBe(true);
  });

  it('a chunked body on a GET stays one request upstream (no smuggled second request picking up the secret)', async () => {
    const px = await open();
    try {
      const url = `https://api.bound.test:${bound.port}`;
      const smuggled = `GET /smuggled HTTP/1.1\r\nHost: api.bound.test\r\n\r\n`;
      const r = await curl(['-x', px.proxy, '--cacert', caFile, '-X', 'GET', '-H', 'Transfer-Encoding: chunked', '-H', `Authorization: Bearer ${binding.placeholder}`, '--data-binary', smuggled, `${url}/get`]);
      expect(r.out).toContain('hello from api.bound.test GET /get');
      expect(bound.seen.map((x) => x.url)).toEqual(['/get']);
      expect(bound.seen[0]!.body).toBe(smuggled);
    } finally {
      await px.close();
    }
  });

  it('the same over SOCKS5 (socks5h)', async () => {
    const px = await open();
    try {
      const r = await curl(['-x', px.proxy.replace('http:', 'socks5h:'), '--cacert', caFile, '-H', `Authorization: Bearer ${binding.placeholder}`, `https://api.bound.test:${bound.port}/s`]);
      expect(r.out).toContain('hello from api.bound.test GET /s');
      expect(bound.seen[0]!.headers.authorization).toBe(`Bearer ${secret}`);
    } finally {
      await px.close();
    }
  });

  it('a placeholder sent to an allowed but unbound host: forwarded unchanged, secret-exfil alert, agent paused', async () => {
    const px = await open();
    try {
      const r = await curl(['-x', px.proxy, '--cacert', caFile, '-H', `Authorization: Bearer ${binding.placeholder}`, `https://other.test:${other.port}/leak`]);
      expect(r.out).toContain('hello from other.test GET /leak');
      expect(other.seen[0]!.headers.authorization).toBe(`Bearer ${binding.placeholder}`);
      expect(JSON.stringify(other.seen)).not.toContain(secret);
      const alerts = h.ofKind('alert', 'alpha');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ type: 'secret-exfil', secrets: ['API_KEY'], host: 'other.test', autoPause: true });
      expect(h.paused.map((x) => x.agent)).toEqual(['alpha']);
      // Paused: the next connection is refused.
      const again = await curl(['-x', px.proxy, '--cacert', caFile, `https://api.bound.test:${bound.port}/after`]);
      expect(again.code).not.toBe(0);
      expect(bound.seen).toHaveLength(0);
    } finally {
      await px.close();
    }
    expect(uses).toEqual([]);
  });

  it('with exfil: refuse, the unbound host never sees the request', async () => {
    const px = await open({ exfil: 'refuse' });
    try {
      const r = await curl(['-x', px.proxy, '--cacert', caFile, '-H', `X-Key: ${binding.placeholder}`, `https://other.test:${other.port}/leak`]);
      expect(r.out).toContain('not bound to other.test');
      expect(other.seen).toHaveLength(0);
      expect(h.ofKind('alert', 'alpha')[0]).toMatchObject({ type: 'secret-exfil' });
    } finally {
      await px.close();
    }
  });

  it('a placeholder in the URL (percent-encoded) is seen too', async () => {
    const px = await open({ exfil: 'refuse' });
    try {
      const enc = binding.placeholder.replace('p', '%70');
      const r = await curl(['-x', px.proxy, '--cacert', caFile, `https://other.test:${other.port}/q?k=${enc}`]);
      expect(r.out).toContain('paddock: refused');
      expect(h.ofKind('alert', 'alpha')[0]).toMatchObject({ type: 'secret-exfil', secrets: ['API_KEY'] });
    } finally {
      await px.close();
    }
  });

  it('replaces a placeholder inside HTTP Basic credentials for its (host:port) binding', async () => {
    const px = await open();
    try {
      const r = await curl(['-x', px.proxy, '--cacert', caFile, '-u', `x-access-token:${basic.placeholder}`, `https://other.test:${other.port}/repo.git`]);
      expect(r.out).toContain('GET /repo.git');
      const auth = other.seen[0]!.headers.authorization as string;
      expect(Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString()).toBe('x-access-token:ghp-real-token');
      expect(uses).toEqual([{ name: 'GIT_TOKEN', host: `other.test:${other.port}` }]);
    } finally {
      await px.close();
    }
  });

  it('deny secret: the placeholder is not replaced and the request is refused with a clear 403', async () => {
    decisions.set('API_KEY', false);
    const px = await open();
    try {
      const r = await curl(['-x', px.proxy, '--cacert', caFile, '-H', `Authorization: Bearer ${binding.placeholder}`, `https://api.bound.test:${bound.port}/x`]);
      expect(r.out).toContain('injecting secret API_KEY');
      expect(bound.seen).toHaveLength(0);
      expect(uses).toEqual([]);
    } finally {
      await px.close();
    }
  });

  it('an upstream certificate that does not verify: refused with a clear error and an event, nothing sent', async () => {
    const px = await open();
    try {
      const r = await curl(['-x', px.proxy, '--cacert', caFile, '-H', `Authorization: Bearer ${binding.placeholder}`, `https://rogue.test:${rogue.port}/x`]);
      expect(r.out).toMatch(/paddock: the TLS connection to rogue\.test:\d+ failed verification/);
      expect(rogue.seen).toHaveLength(0);
    } finally {
      await px.close();
    }
    h.egress.events.flush();
    const deny = h.ofKind('net.deny', 'alpha').find((e) => e.host === 'rogue.test');
    expect(String(deny?.reason)).toMatch(/UNABLE_TO_VERIFY|self.signed|unable to verify/i);
  });

  it('plain HTTP: a placeholder for the bound host is refused ("use https"); to another host it is secret-exfil', async () => {
    const px = await open();
    try {
      const a = await curl(['-x', px.proxy, '-H', `Authorization: Bearer ${binding.placeholder}`, `http://api.bound.test:${plainSrv.port}/x`]);
      expect(a.out).toContain('use https://');
      expect(h.ofKind('alert')).toEqual([]);
      const b = await curl(['-x', px.proxy, `http://plain.test:${plainSrv.port}/x?k=${binding.placeholder}`]);
      expect(b.out).toContain('not bound to plain.test');
      expect(h.ofKind('alert', 'alpha')[0]).toMatchObject({ type: 'secret-exfil' });
      expect(plainSrv.connections).toBe(0);
    } finally {
      await px.close();
    }
  });

  it('non-TLS traffic through CONNECT stays an opaque tunnel', async () => {
    const px = await open();
    try {
      const r = await curl(['-p', '-x', px.proxy, `http://plain.test:${plainSrv.port}/tunnel`]);
      expect(r.out + r.err).toContain('hello GET /tunnel');
    } finally {
      await px.close();
    }
  });

  it('refuses protocol upgrades and a Host header naming another site (domain fronting) on intercepted connections', async () => {
    const px = await open();
    try {
      const url = `https://api.bound.test:${bound.port}/ws`;
      const u = await curl(['-x', px.proxy, '--cacert', caFile, '-H', 'Connection: Upgrade', '-H', 'Upgrade: websocket', url]);
      expect(u.out).toContain('protocol upgrades');
      const f = await curl(['-x', px.proxy, '--cacert', caFile, '-H', `Host: other.test:${other.port}`, url]);
      expect(f.out).toContain('does not match the tunnel');
      expect(bound.seen).toHaveLength(0);
      expect(uses).toEqual([]);
    } finally {
      await px.close();
    }
  });

  it('a placeholder in the CONNECT host name is secret-exfil and the tunnel is closed', async () => {
    h.names.set(`${binding.placeholder}.other.test`, [{ address: '127.0.0.1', family: 4 }]);
    const px = await open();
    try {
      const r = await curl(['-x', px.proxy, '--cacert', caFile, `https://${binding.placeholder}.other.test:${other.port}/`]);
      expect(r.code).not.toBe(0);
      expect(other.seen).toHaveLength(0);
      expect(h.ofKind('alert', 'alpha')[0]).toMatchObject({ type: 'secret-exfil', secrets: ['API_KEY'] });
    } finally {
      await px.close();
    }
  });

  it('intercept: bound leaves unbound hosts opaque (their real certificate reaches the agent)', async () => {
    const px = await open({ intercept: 'bound' });
    try {
      // rogue.test is bound to nothing: the agent sees the server's own (rogue) certificate, which its bundle does not trust.
      const r = await curl(['-x', px.proxy, '--cacert', caFile, `https://rogue.test:${rogue.port}/`]);
      expect(r.code).toBe(60);
      expect(r.out).not.toContain('paddock');
      // A bound host is still intercepted.
      const b = await curl(['-x', px.proxy, '--cacert', caFile, `https://api.bound.test:${bound.port}/`]);
      expect(b.out).toContain('hello from api.bound.test');
      expect(bound.seen[0]!.headers.authorization).toBe(`Bearer ${secret}`);
    } finally {
      await px.close();
    }
  });
});
