/**
 * Attack pass B (black box), header-secret placeholders in places other than the declared header:
 * the URL path and query, Cookie, Proxy-Authorization, X-Authorization, a second Authorization
 * line. The bound loopback HTTPS echo server must receive the value only in the declared
 * `Authorization` header (positive control), the placeholder everywhere else.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentCa } from '../../src/core/vault/ca.js';
import { paddock } from '../helpers/cli.js';
import { echoServer, type EchoServer } from '../helpers/https-echo.js';
import { runResuming, suite } from './helpers.js';

const s = suite('atksec');
const VALUE = 'sk-attack-pass-value-5b2d90e1';
const caFile = join(s.dir, 'upstream-ca.pem');
let srv: EchoServer;

beforeAll(async () => {
  const upstream = createAgentCa('test-upstream');
  writeFileSync(caFile, upstream.certPem);
  srv = await echoServer(upstream, 'localhost');
});
afterAll(async () => {
  await srv.close();
  s.cleanup();
});

describe('placeholders are replaced only in the declared header', () => {
  it('URL path and query, Cookie, Proxy-Authorization, X-Authorization keep the placeholder; Authorization carries the value', async () => {
    const u = `https://localhost:${srv.port}`;
    const c = 'env -u NO_PROXY -u no_proxy curl -sS --max-time 20 -o /dev/null';
    const cmd = [
      'echo "placeholder=$API_KEY"',
      `${c} "${u}/p/$API_KEY?clean=1&q=$API_KEY"`,
      `${c} -H "Cookie: s=$API_KEY" -H "X-Authorization: Bearer $API_KEY" "${u}/cookie?clean=1"`,
      `${c} --proxy-header "Proxy-Authorization: Bearer $API_KEY" -H "Proxy-Authorization: Bearer $API_KEY" "${u}/proxyauth?clean=1"`,
      `${c} -H "Authorization: Bearer $API_KEY" "${u}/declared?clean=1"`,
      'echo done',
    ].join('\n');
    const { dataDir, file, name } = s.setup((n) => ({
      name: n,
      network: 'on',
      rules: `allow net localhost:${srv.port}\n`,
      secrets: [{ name: 'API_KEY', as: 'header', hosts: [`localhost:${srv.port}`], header: 'Authorization: Bearer {}' }],
      command: ['sh', '-c', cmd],
    }));
    const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'attack pass passphrase', NODE_EXTRA_CA_CERTS: caFile };
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', name, 'API_KEY'], { input: `${VALUE}\n`, env }).code).toBe(0);
    const r = await runResuming(dataDir, file, name, { env, ms: 60_000 });
    expect(r.stdout, r.stderr).toContain('done');
    const placeholder = /placeholder=(\S+)/.exec(r.stdout)![1]!;
    // Threat: the value lands where the server logs or reflects it (URL, cookies, custom headers).
    for (const seen of srv.seen) {
      expect(seen.url, seen.url).not.toContain(VALUE);
      for (const [k, v] of Object.entries(seen.headers)) if (k !== 'authorization') expect(String(v), `${seen.url} ${k}`).not.toContain(VALUE);
    }
    const path = srv.seen.find((x) => x.url.startsWith('/p/'))!;
    expect(path.url).toContain(placeholder);
    const cookie = srv.seen.find((x) => x.url.startsWith('/cookie'))!;
    expect(cookie.headers.cookie).toBe(`s=${placeholder}`);
    expect(cookie.headers['x-authorization']).toBe(`Bearer ${placeholder}`);
    // positive control: the declared header carries the value
    expect(srv.seen.find((x) => x.url.startsWith('/declared'))!.headers.authorization).toBe(`Bearer ${VALUE}`);
    expect(r.stdout).not.toContain(VALUE);
  }, 90_000);
});
