import net from 'node:net';
import { unlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, rawExchange, startServer, waitFor, type Harness, type TestServer } from './harness.js';

const get = (port: number, p = '/'): string => `GET http://app.test:${port}${p} HTTP/1.1\r\nHost: app.test:${port}\r\nConnection: close\r\n\r\n`;

describe('asks, the network switch and fail-closed restarts', () => {
  let h: Harness;
  let srv: TestServer;
  beforeEach(async () => {
    h = harness({ aggregateWindowMs: 60_000 });
    srv = await startServer('127.0.0.1');
    h.names.set('app.test', [{ address: '127.0.0.1', family: 4 }]);
  });
  afterEach(async () => {
    await srv.close();
    await h.cleanup();
  });

  const rules = (): string => `ask net app.test:${srv.port}\nallow net 127.0.0.1:${srv.port}`;

  it('holds an ask until answered once; two waiting requests merge into one approval', async () => {
    const sock = await h.open('alpha', rules());
    const r1 = rawExchange(sock, get(srv.port, '/one'));
    const r2 = rawExchange(sock, get(srv.port, '/two'));
    await waitFor(() => h.queue.list().length === 1, 5000, 'an ask pending');
    await new Promise((r) => setTimeout(r, 200)); // let the second request arrive and merge
    expect(h.queue.list()).toHaveLength(1);
    const [a] = h.queue.list();
    expect(a).toMatchObject({ agent: 'alpha', kind: 'net', target: `app.test:${srv.port}`, rule: `ask net app.test:${srv.port}` });
    // No DNS lookup and no connection before the user answers.
    expect(h.resolves).toHaveLength(0);
    expect(srv.connections).toBe(0);
    const req = h.ofKind('approval.request')[0]!;
    expect(req.approval).toBe(a!.id);
    expect(await h.queue.answer(a!.id, 'once')).toBe(true);
    expect(await r1).toMatch(/^HTTP\/1\.1 200[^]*hello GET \/one/);
    expect(await r2).toMatch(/^HTTP\/1\.1 200[^]*hello GET \/two/);
    expect(h.ofKind('approval.answer')[0]).toMatchObject({ approval: a!.id, answer: 'once' });
    expect(h.ofKind('rule.change')).toHaveLength(0);
    // Once means once: the next request asks again.
    const r3 = rawExchange(sock, get(srv.port, '/three'));
    await waitFor(() => h.queue.list().length === 1, 5000, 'second ask');
    await h.queue.answer(h.queue.list()[0]!.id, 'deny');
    expect(await r3).toMatch(/^HTTP\/1\.1 403/);
  });

  it('always adds an allow rule and the next request is not asked', async () => {
    const sock = await h.open('alpha', rules());
    const r1 = rawExchange(sock, get(srv.port));
    await waitFor(() => h.queue.list().length === 1, 5000, 'ask');
    await h.queue.answer(h.queue.list()[0]!.id, 'always');
    expect(await r1).toMatch(/^HTTP\/1\.1 200/);
    expect(h.ofKind('rule.change')[0]).toMatchObject({ agent: 'alpha', rule: `allow net app.test:${srv.port}` });
    const before = h.ofKind('approval.request').length;
    expect(await rawExchange(sock, get(srv.port))).toMatch(/^HTTP\/1\.1 200/);
    expect(h.ofKind('approval.request')).toHaveLength(before);
  });

  it('an unanswered ask is denied after the timeout and no rule is added', async () => {
    const sock = await h.open('alpha', rules(), { timeoutS: 1 });
    const out = await rawExchange(sock, get(srv.port));
    expect(out).toMatch(/^HTTP\/1\.1 403/);
    expect(out).toContain('not approved');
    expect(h.ofKind('approval.answer')[0]).toMatchObject({ answer: 'timeout' });
    expect(h.ofKind('rule.change')).toHaveLength(0);
    expect(h.rules.get('alpha')).toBe(rules());
    expect(srv.connections).toBe(0);
  });

  it('switching the network off cuts a running download and refuses new connections; on restores', async () => {
    const big = await startServer('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024);
      const timer = setInterval(() => res.write(chunk), 5);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const sock = await h.open('alpha', `allow net 127.0.0.1:${big.port}\nallow net 127.0.0.1:${srv.port}`);
      const c = net.connect(sock);
      let got = 0;
      const closed = new Promise<void>((r) => c.on('close', () => r()));
      c.on('data', (d: Buffer) => (got += d.length));
      c.write(`CONNECT 127.0.0.1:${big.port} HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n`);
      await waitFor(() => got > 256 * 1024, 5000, 'download running');
      h.egress.setNetwork('alpha', false);
      await closed;
      expect(h.egress.status('alpha')!.connections).toBe(0);
      const refused = await rawExchange(sock, `CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\n\r\n`);
      expect(refused).toMatch(/^HTTP\/1\.1 403[^]*network switch of agent "alpha" is off/);
      h.egress.setNetwork('alpha', true);
      expect(await rawExchange(sock, `GET http://127.0.0.1:${srv.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 200/);
      h.egress.setAllOffline(true);
      expect(await rawExchange(sock, `CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403[^]*offline/);
      h.egress.setAllOffline(false);
      h.egress.pause('alpha');
      expect(await rawExchange(sock, `CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403[^]*paused/);
    } finally {
      await big.close();
    }
  });

  it('a gate-only socket (network off at start) answers the gate but never proxies', async () => {
    const sock = await h.open('alpha', `allow net 127.0.0.1:${srv.port}\nallow action send-email`, { mode: 'gate' });
    const body = JSON.stringify({ action: 'send-email', detail: 'to boss' });
    const ok = await rawExchange(sock, `POST /v1/ask HTTP/1.1\r\nHost: paddock.ask\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(ok).toMatch(/^HTTP\/1\.1 200[^]*"decision":"allow"/);
    h.egress.setNetwork('alpha', true);
    expect(await rawExchange(sock, `CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403/);
    expect(srv.connections).toBe(0);
  });

  it('when the listener is killed from outside: no network, a proxy alert, then it works again', async () => {
    const sock = await h.open('alpha', `allow net 127.0.0.1:${srv.port}`);
    const req = `GET http://127.0.0.1:${srv.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nConnection: close\r\n\r\n`;
    expect(await rawExchange(sock, req)).toMatch(/^HTTP\/1\.1 200/);
    unlinkSync(sock);
    await expect(rawExchange(sock, req)).rejects.toThrow(/ENOENT|ECONNREFUSED/);
    await waitFor(() => h.ofKind('alert').some((a) => a.type === 'proxy'), 5000, 'proxy alert');
    await waitFor(() => h.egress.proxy('alpha')!.listener !== null, 5000, 'restart');
    expect(await rawExchange(sock, req)).toMatch(/^HTTP\/1\.1 200/);
    // Killing the server object itself.
    h.egress.proxy('alpha')!.listener!.close();
    await waitFor(() => h.ofKind('alert').filter((a) => a.type === 'proxy').length >= 1 && h.egress.proxy('alpha')!.listener !== null, 5000, 'second restart');
    await h.egress.restart('alpha');
    expect(await rawExchange(sock, req)).toMatch(/^HTTP\/1\.1 200/);
  });

  it('folds a 1000-connection flood into a few events', async () => {
    const sock = await h.open('alpha', 'deny net evil.test:*');
    const outs: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const reqs: Promise<string>[] = [];
      for (let i = 0; i < 100; i++) reqs.push(rawExchange(sock, 'CONNECT evil.test:443 HTTP/1.1\r\n\r\n'));
      outs.push(...(await Promise.all(reqs)));
    }
    expect(outs.every((o) => o.startsWith('HTTP/1.1 403'))).toBe(true);
    h.egress.events.flush();
    const denies = h.ofKind('net.deny', 'alpha');
    expect(denies.length).toBeLessThanOrEqual(3);
    const total = denies.reduce((n, e) => n + ((e.count as number | undefined) ?? 1), 0);
    expect(total).toBe(1000);
    expect(h.ofKind('alert', 'alpha').filter((a) => a.type === 'denied-burst')).toHaveLength(1);
  });
});
