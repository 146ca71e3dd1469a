import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { caBundle, caBundleEnv } from '../../../src/core/vault/ca-bundle.js';
import { createAgentCa, type LeafCert } from '../../../src/core/vault/ca.js';

/** Serves one TLS endpoint on loopback with `leaf`; returns whether a client trusting `caPem` accepts it. */
async function handshake(leaf: LeafCert, caPem: string | undefined, connect: { host: string; servername?: string }): Promise<{ ok: boolean; error?: string }> {
  const server = tls.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (s) => s.end('hello'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise((resolve) => {
      const c = tls.connect({ port, host: connect.host, servername: connect.servername, ca: caPem ? [caPem] : undefined }, () => {
        resolve({ ok: c.authorized });
        c.end();
      });
      c.on('error', (e) => resolve({ ok: false, error: e.message }));
    });
  } finally {
    server.close();
  }
}

describe('per-agent interception CA', () => {
  it('is a CA certificate (pathlen 0) and signs leaf certificates for names and IP literals', () => {
    const ca = createAgentCa('alice');
    expect(ca.cert.ca).toBe(true);
    expect(ca.cert.subject).toContain('alice');
    const leaf = new X509Certificate(ca.issue('api.example.test').certPem);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.cert.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca.cert)).toBe(true);
    expect(leaf.checkHost('api.example.test')).toBe('api.example.test');
    expect(leaf.checkHost('evil.test')).toBeUndefined();
    expect(new X509Certificate(ca.issue('::1').certPem).checkIP('::1')).toBe('::1');
    // Another agent's CA did not sign it.
    expect(leaf.verify(createAgentCa('bob').cert.publicKey)).toBe(false);
  });

  it('a real TLS client trusting the CA accepts its leaf; one that does not trust it refuses', async () => {
    const ca = createAgentCa('alice', { permitted: ['localhost', '127.0.0.1'] });
    expect(await handshake(ca.issue('localhost'), ca.certPem, { host: '127.0.0.1', servername: 'localhost' })).toEqual({ ok: true });
    expect(await handshake(ca.issue('127.0.0.1'), ca.certPem, { host: '127.0.0.1' })).toEqual({ ok: true });
    const untrusted = await handshake(ca.issue('localhost'), undefined, { host: '127.0.0.1', servername: 'localhost' });
    expect(untrusted.ok).toBe(false);
  });

  it('name constraints: the CA cannot vouch for hosts outside the bound ones', async () => {
    const ca = createAgentCa('alice', { permitted: ['localhost'] });
    const r = await handshake(ca.issue('localhost.evil.test'), ca.certPem, { host: '127.0.0.1', servername: 'localhost.evil.test' });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/subtree|constraint/i);
  });

  it('is valid from a day ago for the requested number of days', () => {
    const now = new Date('2030-01-10T00:00:00Z');
    const ca = createAgentCa('alice', { days: 2, now: () => now });
    expect(new Date(ca.cert.validFrom).toISOString()).toBe('2030-01-09T00:00:00.000Z');
    expect(new Date(ca.cert.validTo).toISOString()).toBe('2030-01-11T00:00:00.000Z');
  });
});

describe('the CA bundle the sandbox trusts', () => {
  it('keeps the system CAs (other hosts stay real TLS) and adds the agent CA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-ca-'));
    try {
      writeFileSync(join(dir, 'system.pem'), 'SYSTEM-CAS');
      const ca = createAgentCa('alice');
      expect(caBundle(ca.certPem, join(dir, 'system.pem'))).toBe(`SYSTEM-CAS\n${ca.certPem}`);
      expect(caBundle(ca.certPem)).toContain(ca.certPem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('points every common TLS stack at the bundle', () => {
    expect(Object.keys(caBundleEnv('/b.pem')).sort()).toEqual(['CURL_CA_BUNDLE', 'GIT_SSL_CAINFO', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE']);
    expect(new Set(Object.values(caBundleEnv('/b.pem')))).toEqual(new Set(['/b.pem']));
  });
});
