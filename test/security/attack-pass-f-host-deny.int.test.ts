/**
 * Attack pass F (black box): `host.paddock.internal` is dialled on the host's 127.0.0.1 (then ::1),
 * and every decision is "checked on the resolved address that is actually dialled" with "a deny
 * wins within a tier" (PRODUCT.md). A rule denying that address and port
 * (`deny net 127.0.0.1:PORT`) lost to `allow net host.paddock.internal:PORT`: the agent reached the
 * host's service by GET, CONNECT and SOCKS5. Positive control: without the deny it is reached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingServer, proxyProbe, probeResults, runResuming, suite, type CountingServer } from './helpers.js';

const s = suite('atkfhd');
let srv: CountingServer;
beforeAll(async () => {
  srv = await countingServer('host-service');
});
afterAll(async () => {
  await srv.close();
  s.cleanup();
});

const attempts = (port: number): Parameters<typeof proxyProbe>[0] => [
  { tag: 'get', http: `GET http://host.paddock.internal:${port}/ HTTP/1.1\r\nHost: host.paddock.internal:${port}\r\n\r\n` },
  { tag: 'connect', http: `CONNECT host.paddock.internal:${port} HTTP/1.1\r\nHost: host.paddock.internal:${port}\r\n\r\n` },
  { tag: 'socks', socksHost: 'host.paddock.internal', port },
];

async function probe(rules: string): Promise<Map<string, string>> {
  const { dataDir, file, name } = s.setup((n) => ({ name: n, network: 'on', rules, command: ['python3', '-c', proxyProbe(attempts(srv.port))] }));
  const r = await runResuming(dataDir, file, name, { ms: 60_000 });
  expect(r.stdout, r.stderr).toContain('probe-done');
  return probeResults(r.stdout);
}

describe('a deny naming the dialled loopback address beats allow net host.paddock.internal', () => {
  it('deny net 127.0.0.1:PORT (and [::1]:PORT) + allow net host.paddock.internal:PORT: refused by GET, CONNECT and SOCKS5', async () => {
    const before = srv.hits();
    const out = await probe(`deny net 127.0.0.1:${srv.port}\ndeny net [::1]:${srv.port}\nallow net host.paddock.internal:${srv.port}\n`);
    // Threat: the user's explicit deny of a host service is overridden by a broader way to name it.
    expect(out.get('get')).toMatch(/^HTTP\/1\.1 403/);
    expect(out.get('connect')).toMatch(/^HTTP\/1\.1 403/);
    expect(out.get('socks')).toMatch(/^socks [1-9]/);
    expect(srv.hits()).toBe(before);
  });

  it('positive control: allow net host.paddock.internal:PORT alone reaches it three ways', async () => {
    const before = srv.hits();
    const out = await probe(`allow net host.paddock.internal:${srv.port}\n`);
    expect(out.get('get')).toContain('hello from host-service');
    expect(out.get('connect')).toContain('hello from host-service');
    expect(out.get('socks')).toContain('hello from host-service');
    expect(srv.hits()).toBe(before + 3);
  });
});
