/**
 * Issue 13 item 3, black box: a real agent (`bin/paddock run`, real bwrap, real proxy, TLS
 * interception) holding only the placeholder of a header secret tries to get the bound host to
 * reflect the real value back: a placeholder in another header, TRACE/TRACK, and echoes of the
 * request in a header and in plain, chunked, gzip, deflate and br bodies, on a kept-alive
 * connection and after 100 Continue (encoded echoes and the cap: test/core/egress/intercept-reflect). The host runs a loopback HTTPS echo
 * server whose CA is given to the proxy through NODE_EXTRA_CA_CERTS.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentCa } from '../../src/core/vault/ca.js';
import { paddock } from '../helpers/cli.js';
import { echoServer, type EchoServer } from '../helpers/https-echo.js';
import { events, runResuming, suite } from './helpers.js';

const s = suite('reflect');
const VALUE = 'sk-real-reflected-value-9c1e7f3a';
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

/** The agent's script: one `== TAG` section per attempt. */
function script(port: number): string {
  const u = `https://localhost:${port}`;
  const c = `env -u NO_PROXY -u no_proxy curl -sS --max-time 20 -H "Authorization: Bearer $API_KEY"`;
  const steps: [string, string][] = [
    ['xdebug', `-D - -H "X-Debug: $API_KEY" ${u}/echo`],
    ['trace', `-X TRACE ${u}/`],
    ['track', `-X TRACK ${u}/`],
    ['chunked', `${u}/echo?frame=chunked`],
    ['gzip', `--compressed ${u}/echo?enc=gzip`],
    ['deflate', `--compressed ${u}/echo?enc=deflate&frame=chunked`],
    ['br', `--compressed ${u}/echo?enc=br`],
    ['keepalive', `${u}/echo?n=1 ${u}/echo?n=2&frame=chunked`],
    ['continue', `-H "Expect: 100-continue" --data-binary "$(head -c 3000 /dev/zero | tr '\\0' x)" ${u}/echo?post=1`],
    ['clean', `-D - --compressed ${u}/clean?clean=1&enc=gzip`],
  ];
  return ['echo "placeholder=$API_KEY"', ...steps.map(([tag, args]) => `echo "== ${tag}"; ${c} ${args.replace(/(https:\/\/\S+)/g, "'$1'")}; echo`), 'echo "== done"'].join('\n');
}

/** Sections of the agent's output by tag. */
function sections(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of out.split('\n== ').slice(1)) {
    const nl = part.indexOf('\n');
    m.set(part.slice(0, nl), part.slice(nl + 1));
  }
  return m;
}

describe('header secrets are never reflected back into the sandbox', () => {
  it('the bound host gets the value only in the declared header; TRACE/TRACK are refused; every echo reaches the agent with the placeholder, and secret-exfil is raised', async () => {
    const { dataDir, file, name } = s.setup((n) => ({
      name: n,
      network: 'on',
      rules: `allow net localhost:${srv.port}\n`,
      secrets: [{ name: 'API_KEY', as: 'header', hosts: [`localhost:${srv.port}`], header: 'Authorization: Bearer {}' }],
      command: ['sh', '-c', script(srv.port)],
    }));
    const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'reflect test passphrase', NODE_EXTRA_CA_CERTS: caFile };
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', name, 'API_KEY'], { input: `${VALUE}\n`, env }).code).toBe(0);
    // Each reflection auto-pauses the agent (secret-exfil); the harness resumes it.
    const r = await runResuming(dataDir, file, name, { env, ms: 90_000 });
    const out = r.stdout;
    expect(out, r.stderr).toContain('== done');
    const placeholder = /placeholder=(\S+)/.exec(out)![1]!;
    expect(placeholder).toMatch(/^paddock-placeholder-/);

    // Nothing the agent received carries the value (percent-encoded and base64 echoes: intercept-reflect.int.test.ts).
    expect(out).not.toContain(VALUE);
    const sec = sections(out);

    // (a) X-Debug kept the placeholder upstream; the declared header carried the value (positive control).
    const first = srv.seen.find((x) => x.headers['x-debug'] !== undefined)!;
    expect(first.headers['x-debug']).toBe(placeholder);
    expect(first.headers.authorization).toBe(`Bearer ${VALUE}`);
    expect(sec.get('xdebug')).toMatch(new RegExp(`x-echo: Bearer ${placeholder}`, 'i'));
    // (b) TRACE / TRACK refused, never sent.
    expect(sec.get('trace')).toContain('TRACE is refused');
    expect(sec.get('track')).toContain('request method is refused');
    expect(srv.seen.some((x) => x.method === 'TRACE' || x.method === 'TRACK')).toBe(false);
    // (c) every echo arrived, scrubbed.
    for (const tag of ['xdebug', 'chunked', 'gzip', 'deflate', 'br', 'continue']) expect(sec.get(tag), tag).toContain(`"authorization":"Bearer ${placeholder}"`);
    expect(sec.get('keepalive')!.split(`"authorization":"Bearer ${placeholder}"`)).toHaveLength(3);
    // Positive control: a clean compressed response passes as is.
    expect(sec.get('clean')).toMatch(/content-encoding: gzip/i);
    expect(sec.get('clean')).toContain('nothing to see');

    const alerts = events(dataDir, name, 'alert').filter((e) => e.type === 'secret-exfil');
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]).toMatchObject({ secrets: ['API_KEY'], reflected: true });
    expect(r.pauses).toBeGreaterThan(0);

    expect(events(dataDir, name, 'secret.use').length).toBeGreaterThan(0);
  }, 150_000);
});
