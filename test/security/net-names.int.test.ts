/**
 * Attack class: name-versus-address tricks through the proxy. With `allow net *` (public hosts
 * only), every spelling of the host's loopback must be refused before a connection is made; the
 * loopback test server must see nothing. A rule naming 127.0.0.1:PORT works (positive control).
 * Also: absolute-URI vs Host header mismatch, and relaying through an allowed host.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingServer, events, probeResults, proxyProbe, runResuming, suite, type CountingServer, type ProxyAttempt } from './helpers.js';

const s = suite('names');
let target: CountingServer; // must never be reached
let named: CountingServer; // named by a rule: the positive control
let relay: Server; // a loopback open proxy the user allowed
let relayHits = 0;

beforeAll(async () => {
  target = await countingServer('target');
  named = await countingServer('named');
  // A tiny forward proxy: "GET http://H:P/..." → dials H:P and pipes (what an allowed open proxy does).
  relay = createServer((c) => {
    relayHits++;
    c.on('error', () => undefined);
    c.once('data', (d: Buffer) => {
      const m = /^[A-Z]+ http:\/\/([^/:]+):(\d+)/.exec(d.toString('latin1'));
      if (!m || m[1] !== '127.0.0.1') return c.end('HTTP/1.1 400 Bad\r\n\r\n'); // loopback only
      const up = createConnection({ host: m[1], port: Number(m[2]) }, () => up.write(d));
      up.on('error', () => c.destroy());
      up.pipe(c);
      c.pipe(up);
    });
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  await target.close();
  await named.close();
  relay.close();
  s.cleanup();
});

const get = (host: string, port: number, hostHeader = `${host}:${port}`): string => `GET http://${host}:${port}/ HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`;
const connect = (hostPort: string): string => `CONNECT ${hostPort} HTTP/1.1\r\nHost: ${hostPort}\r\n\r\n`;

describe('loopback spellings through the proxy with allow net *', () => {
  it('127.1, 2130706433, 0x7f000001, 0177.0.0.1, ::ffff:127.0.0.1, localhost., LOCALHOST, trailing dots, mixed case… never reach the host; a rule naming 127.0.0.1:PORT does', async () => {
    const P = target.port;
    const spellings = [
      '127.1', '2130706433', '0x7f000001', '0177.0.0.1', '0x7f.1', '127.000.000.001', '127.0.0.1.', '127.1.2.3',
      '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::1]', '[0:0:0:0:0:0:0:1]', '0.0.0.0', '0', '[::]',
      'localhost', 'localhost.', 'LOCALHOST', 'LocalHost.', 'localhost..', 'foo.localhost', 'ip6-localhost', 'localtest.me',
      '%31%32%37.0.0.1', '127.0.0.1%00.example.com',
    ];
    const attempts: ProxyAttempt[] = [];
    for (const h of spellings) {
      attempts.push({ tag: `get ${h}`, http: get(h, P) });
      attempts.push({ tag: `connect ${h}`, http: connect(`${h}:${P}`) });
      if (!h.startsWith('[')) attempts.push({ tag: `socks ${h}`, socksHost: h, port: P });
    }
    attempts.push({ tag: 'get userinfo', http: `GET http://${'allowed.example'}@127.0.0.1:${P}/ HTTP/1.1\r\nHost: 127.0.0.1:${P}\r\n\r\n` });
    // positive controls: the named server, by its canonical and a numeric spelling (parsed as the same IPv4)
    const ok: ProxyAttempt[] = [
      { tag: 'ok get', http: get('127.0.0.1', named.port) },
      { tag: 'ok connect', http: connect(`127.0.0.1:${named.port}`) },
      { tag: 'ok 127.1', http: get('127.1', named.port) },
    ];
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      network: 'on',
      rules: `allow net *\nallow net 127.0.0.1:${named.port}\n`,
      // The probing auto-pauses the agent (private-probe tripwire; the test resumes it): the positive
      // control runs after, retried until the agent is no longer paused.
      command: ['bash', '-c', `python3 - <<'PY'\n${proxyProbe(attempts)}\nPY\nfor i in $(seq 20); do sleep 0.5; python3 - > ok.txt <<'PY'\n${proxyProbe(ok)}\nPY\ngrep -q paused ok.txt || break; done; cat ok.txt`],
    }));
    const r = await runResuming(dataDir, file, name, { ms: 40_000 });
    expect(r.pauses).toBeGreaterThan(0);
    expect(r.stdout).toContain('probe-done');
    const res = probeResults(r.stdout);
    expect(target.hits()).toBe(0);
    for (const a of attempts) {
      const line = res.get(a.tag) ?? '';
      expect(line, a.tag).not.toContain('hello from');
      expect(line, a.tag).not.toMatch(/^HTTP\/1\.[01] 2\d\d|^socks 0/);
    }
    expect(res.get('ok get')).toContain('hello from named');
    expect(res.get('ok connect')).toContain('hello from named');
    expect(res.get('ok 127.1')).toContain('hello from named');
    expect(named.hits()).toBe(3); // only the positive controls reached a server
    // the refusals are on the record, and the probing raised a private-probe alert
    expect(events(dataDir, name, 'net.deny').length).toBeGreaterThan(20);
    expect(events(dataDir, name, 'alert').some((e) => e.type === 'private-probe')).toBe(true);
  });
});

describe('request smuggling and relays', () => {
  it('an absolute-URI request whose Host header names another host is refused; the URI host decides, never the Host header', async () => {
    const attempts: ProxyAttempt[] = [
      // allowed URI, forbidden Host: refused (the upstream would route by Host)
      { tag: 'uri-ok host-bad', http: get('127.0.0.1', named.port, `127.0.0.1:${target.port}`) },
      // forbidden URI, allowed Host: refused
      { tag: 'uri-bad host-ok', http: get('127.0.0.1', target.port, `127.0.0.1:${named.port}`) },
      // origin-form request (transparent-proxy style) naming the forbidden host in Host only
      { tag: 'origin-form', http: `GET / HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n` },
      // CONNECT to an allowed target with a Host header naming a forbidden one: the CONNECT line decides
      { tag: 'connect-host-bad', http: `CONNECT 127.0.0.1:${named.port} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n` },
      { tag: 'ok', http: get('127.0.0.1', named.port) },
    ];
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      network: 'on',
      rules: `allow net 127.0.0.1:${named.port}\n`,
      command: ['bash', '-c', `python3 - <<'PY'\n${proxyProbe(attempts)}\nPY`],
    }));
    const before = named.hits();
    const r = await runResuming(dataDir, file, name);
    const res = probeResults(r.stdout);
    expect(target.hits()).toBe(0);
    expect(res.get('uri-ok host-bad')).toMatch(/^HTTP\/1\.[01] 4\d\d/);
    expect(res.get('uri-bad host-ok')).toMatch(/^HTTP\/1\.[01] 4\d\d/);
    expect(res.get('origin-form')).toMatch(/^HTTP\/1\.[01] 4\d\d/);
    expect(res.get('connect-host-bad')).toContain('hello from named'); // a tunnel goes where CONNECT says
    expect(res.get('ok')).toContain('hello from named');
    expect(named.hits() - before).toBe(2);
  });

  it('an allowed host that relays is the user\'s choice: the agent reaches the target only through it, never directly', async () => {
    const rp = (relay.address() as { port: number }).port;
    // through the allowed relay: CONNECT to the relay, then speak its proxy protocol inside the tunnel
    const viaRelay: ProxyAttempt[] = [{ tag: 'via-relay', http: connect(`127.0.0.1:${rp}`), inner: get('127.0.0.1', target.port) }];
    const direct: ProxyAttempt[] = [{ tag: 'direct', http: get('127.0.0.1', target.port) }];
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      network: 'on',
      rules: `allow net 127.0.0.1:${rp}\n`,
      command: ['bash', '-c', `python3 - <<'PY'\n${proxyProbe(viaRelay)}\nPY\npython3 - <<'PY'\n${proxyProbe(direct)}\nPY`],
    }));
    const r = await runResuming(dataDir, file, name);
    const res = probeResults(r.stdout);
    expect(res.get('direct')).toMatch(/^HTTP\/1\.[01] 4\d\d/);
    expect(events(dataDir, name, 'net.deny').some((e) => e.port === target.port)).toBe(true);
    // The relay case (documented limitation): Paddock vets the hop it dials — the relay, which the
    // user allowed; what an allowed host does with the bytes next is outside any egress proxy.
    expect(res.get('via-relay')).toContain('hello from target');
    expect(relayHits).toBe(1);
    expect(target.hits()).toBe(1);
  });
});
