import { statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { curl, harness, rawExchange, startServer, tcpBridge, type Harness, type TestServer } from './harness.js';



describe('egress proxy over its Unix socket', () => {
  let h: Harness;
  let srv: TestServer;
  beforeEach(async () => {
    h = harness();
    srv = await startServer('127.0.0.1');
    h.names.set('app.test', [{ address: '127.0.0.1', family: 4 }]);
    h.names.set('sneaky.test', [{ address: '127.0.0.1', family: 4 }]);
  });
  afterEach(async () => {
    await srv.close();
    await h.cleanup();
  });

  it('binds the socket 0600 in a 0700 folder', async () => {
    const sock = await h.open('alpha', 'allow net *');
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(sock)).mode & 0o777).toBe(0o700);
  });

  it('lets an allowed host through (curl, HTTP proxy: absolute URI and CONNECT) and logs the rule', async () => {
    const sock = await h.open('alpha', `allow net app.test:${srv.port}\nallow net 127.0.0.1:${srv.port}`);
    const b = await tcpBridge(sock);
    try {
      const r = await curl(['-x', `http://127.0.0.1:${b.port}`, `http://app.test:${srv.port}/hi`]);
      expect(r.out).toContain(`hello GET /hi host=app.test:${srv.port}`);
      const t = await curl(['-p', '-x', `http://127.0.0.1:${b.port}`, `http://app.test:${srv.port}/tunnel`]);
      expect(t.out).toContain('hello GET /tunnel');
    } finally {
      await b.close();
    }
    h.egress.events.flush();
    const allows = h.ofKind('net.allow', 'alpha');
    expect(allows.length).toBeGreaterThanOrEqual(1);
    expect(allows[0]).toMatchObject({ host: 'app.test', port: srv.port, address: '127.0.0.1', rule: `allow net app.test:${srv.port}`, line: 1 });
    expect(allows[0]!.bytesDown).toBeGreaterThan(0);
    expect(h.dials.every((d) => d.address === '127.0.0.1')).toBe(true);
  });

  it('refuses a denied host with a clear 403 naming the rule, without resolving or dialling', async () => {
    const sock = await h.open('alpha', `deny net evil.test:*\nallow net app.test:${srv.port}`);
    const out = await rawExchange(sock, `CONNECT evil.test:443 HTTP/1.1\r\nHost: evil.test:443\r\n\r\n`, /\n\n|\r\n\r\n[^]*\n$/);
    expect(out).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(out).toContain('paddock: denied net evil.test:443 by rule "deny net evil.test:*" (line 1)');
    expect(h.resolves).not.toContain('evil.test');
    expect(h.dials).toHaveLength(0);
    expect(h.ofKind('net.deny', 'alpha')[0]).toMatchObject({ host: 'evil.test', port: 443, rule: 'deny net evil.test:*', line: 1 });
  });

  it('allow net * reaches neither 127.0.0.1, [::1], 169.254.169.254 nor a name resolving to 127.0.0.1, and dials nothing', async () => {
    const sock = await h.open('alpha', 'allow net *:*');
    const targets = [`127.0.0.1:${srv.port}`, `[::1]:${srv.port}`, `127.1:${srv.port}`, `[::ffff:127.0.0.1]:${srv.port}`, `sneaky.test:${srv.port}`, '169.254.169.254:80', `0x7f000001:${srv.port}`, `localhost:${srv.port}`];
    for (const t of targets) {
      const out = await rawExchange(sock, `CONNECT ${t} HTTP/1.1\r\nHost: ${t}\r\n\r\n`);
      expect(out, t).toMatch(/^HTTP\/1\.1 403/);
    }
    const plainOut = await rawExchange(sock, `GET http://127.0.0.1:${srv.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nConnection: close\r\n\r\n`);
    expect(plainOut).toMatch(/^HTTP\/1\.1 403/);
    expect(h.dials).toHaveLength(0);
    expect(srv.connections).toBe(0);
    const alerts = h.ofKind('alert', 'alpha');
    expect(alerts.some((a) => a.type === 'private-probe')).toBe(true);
    expect(h.paused.some((p) => p.agent === 'alpha' && p.reason.startsWith('private-probe'))).toBe(true);
  });

  it('refuses a Host header that disagrees with the absolute URI (400) without dialling', async () => {
    const sock = await h.open('alpha', `allow net app.test:${srv.port}`);
    const out = await rawExchange(sock, `GET http://app.test:${srv.port}/ HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(out).toContain('does not match');
    expect(h.dials).toHaveLength(0);
  });

  it('speaks SOCKS5 on the same socket: allowed (curl socks5h) and denied (reply 0x02)', async () => {
    const sock = await h.open('alpha', `allow net app.test:${srv.port}\nallow net 127.0.0.1:${srv.port}`);
    const r = await curl(['--proxy', `socks5h://localhost${sock}`, `http://app.test:${srv.port}/socks`]);
    expect(r.out, r.err).toContain('hello GET /socks');
    // Raw SOCKS5: greeting, then CONNECT evil.test:80 by domain name.
    const name = Buffer.from('evil.test');
    const req = Buffer.concat([Buffer.from([5, 1, 0]), Buffer.from([5, 1, 0, 3, name.length]), name, Buffer.from([0, 80])]);
    const out = Buffer.from(await rawExchange(sock, req), 'latin1');
    expect([...out.subarray(0, 2)]).toEqual([5, 0]);
    expect(out[3]).toBe(0x02);
    expect(h.ofKind('net.deny', 'alpha').some((e) => e.host === 'evil.test' && e.via === 'socks5')).toBe(true);
  });

  it('identity is the socket: two agents with different rules get different answers', async () => {
    const a = await h.open('alpha', `allow net app.test:${srv.port}\nallow net 127.0.0.1:${srv.port}`);
    const b = await h.open('beta', 'deny net *:*');
    const req = `GET http://app.test:${srv.port}/x HTTP/1.1\r\nHost: app.test:${srv.port}\r\nConnection: close\r\nX-Paddock-Agent: alpha\r\n\r\n`;
    expect(await rawExchange(a, req)).toMatch(/^HTTP\/1\.1 200/);
    expect(await rawExchange(b, req)).toMatch(/^HTTP\/1\.1 403/);
  });

  it('never reaches the control plane, even with a rule naming localhost', async () => {
    await h.cleanup();
    h = harness({ controlPorts: () => [srv.port] });
    const sock = await h.open('alpha', `allow net 127.0.0.1:*\nallow net localhost:*`);
    const out = await rawExchange(sock, `CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 403/);
    expect(out).toContain('control plane');
    expect(srv.connections).toBe(0);
    expect(h.ofKind('alert', 'alpha').some((a) => a.type === 'control-plane')).toBe(true);
  });

  it('finds an SSH banner after other lines or a harmless first chunk, in either direction', async () => {
    const net = await import('node:net');
    // The server sends 600 bytes of other lines first (RFC 4253 allows it), then the banner.
    const chatty = net.createServer((c) => {
      c.write(`${'x'.repeat(98)}\r\n`.repeat(6));
      setTimeout(() => c.write('SSH-2.0-OpenSSH_9.2\r\n'), 50);
    });
    // The client sends "\r\n" first, then its banner, to a server that says nothing.
    const quiet = net.createServer((c) => c.on('data', () => {}));
    await new Promise<void>((r) => chatty.listen(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => quiet.listen(0, '127.0.0.1', () => r()));
    const p1 = (chatty.address() as { port: number }).port;
    const p2 = (quiet.address() as { port: number }).port;
    try {
      const a = await h.open('alpha', `allow net 127.0.0.1:${p1}`);
      const out = await rawExchange(a, `CONNECT 127.0.0.1:${p1} HTTP/1.1\r\n\r\n`);
      expect(out).not.toContain('SSH-2.0');
      expect(h.ofKind('alert', 'alpha').some((e) => e.type === 'ssh-egress')).toBe(true);
      const b = await h.open('beta', `allow net 127.0.0.1:${p2}`);
      const c = net.connect(b);
      c.on('error', () => {});
      await new Promise((r) => c.once('connect', r));
      c.write(`CONNECT 127.0.0.1:${p2} HTTP/1.1\r\n\r\n`);
      await new Promise((r) => c.once('data', r));
      c.write('\r\n');
      await new Promise((r) => setTimeout(r, 100));
      c.write('SSH-2.0-OpenSSH_9.2\r\n');
      await new Promise((r) => c.once('close', r));
      expect(h.ofKind('alert', 'beta').some((e) => e.type === 'ssh-egress')).toBe(true);
    } finally {
      chatty.close();
      quiet.close();
    }
  });

  it('raises ssh-egress on port 22 and on an SSH banner through an allowed port, and cuts the tunnel', async () => {
    const net = await import('node:net');
    const sshLike = net.createServer((c) => c.write('SSH-2.0-OpenSSH_9.2\r\n'));
    await new Promise<void>((r) => sshLike.listen(0, '127.0.0.1', () => r()));
    const port = (sshLike.address() as { port: number }).port;
    try {
      const sock = await h.open('alpha', `allow net 127.0.0.1:${port}`);
      const out = await rawExchange(sock, `CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`);
      expect(out).toMatch(/^HTTP\/1\.1 200/);
      expect(out).not.toContain('SSH-2.0');
      expect(h.ofKind('alert', 'alpha').some((a) => a.type === 'ssh-egress')).toBe(true);
      expect(h.paused.some((p) => p.agent === 'alpha' && p.reason.startsWith('ssh-egress'))).toBe(true);
      const other = await h.open('beta', 'allow net *');
      const deny22 = await rawExchange(other, `CONNECT example.test:22 HTTP/1.1\r\n\r\n`);
      expect(deny22).toMatch(/^HTTP\/1\.1 403/);
      expect(h.ofKind('alert', 'beta').some((a) => a.type === 'ssh-egress')).toBe(true);
      expect(h.resolves).not.toContain('example.test');
    } finally {
      sshLike.close();
    }
  });
});
