import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startConsole, type Console } from './console-helpers.js';

let c: Console;
beforeAll(async () => {
  c = await startConsole();
});
afterAll(async () => {
  expect(await c.stop()).toBe(0);
});

/** A raw HTTP request to the console (any Host/Origin we like; always to 127.0.0.1). */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: c.port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${c.token}` });

describe('paddock serve: the console refuses what is not ours', () => {
  it('prints a 32-byte base64url token and answers with it', async () => {
    expect(Buffer.from(c.token, 'base64url')).toHaveLength(32);
    const r = await raw('/api/agents', { headers: auth() });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual([]);
    // The scheme is case-insensitive (RFC 9110 §11.1); the token is not.
    expect((await raw('/api/agents', { headers: { Authorization: `bearer ${c.token}` } })).status).toBe(200);
    expect((await raw('/api/agents', { headers: { Authorization: `BEARER  ${c.token}` } })).status).toBe(200);
    expect((await raw('/api/agents', { headers: { Authorization: `Bearer ${c.token.toUpperCase()}` } })).status).toBe(401);
  });

  it('refuses /api/ without the token, with a wrong token or a wrong scheme', async () => {
    expect((await raw('/api/agents')).status).toBe(401);
    expect((await raw('/api/agents:list', { method: 'POST', headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await raw('/api/agents:list', { method: 'POST', headers: { Authorization: `Basic ${c.token}` } })).status).toBe(401);
    expect((await raw(`/api/agents?token=${c.token}`)).status).toBe(401);
  });

  it('refuses a wrong Host (DNS rebinding), even with the token', async () => {
    const r = await raw('/api/agents', { headers: { ...auth(), Host: `evil.test:${c.port}` } });
    expect([403, 421]).toContain(r.status);
    expect((await raw('/', { headers: { Host: `127.0.0.1:${c.port + 1}` } })).status).toBe(421);
    expect((await raw('/api/agents', { headers: { ...auth(), Host: `localhost:${c.port}` } })).status).toBe(200);
  });

  it('refuses a foreign Origin (CSRF), even with the token, and sends no CORS header', async () => {
    const r = await raw('/api/agents:list', { method: 'POST', headers: { ...auth(), Origin: 'http://evil.test' } });
    expect(r.status).toBe(403);
    const ok = await raw('/api/agents:list', { method: 'POST', headers: { ...auth(), Origin: c.origin } });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await raw('/api/agents:list', { method: 'OPTIONS', headers: { Origin: 'http://evil.test', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('validates input: bad JSON and schema failures are 400, unknown channels 404', async () => {
    const bad = await raw('/api/agents:get', { method: 'POST', headers: auth(), body: '{not json' });
    expect(bad.status).toBe(400);
    const schema = await raw('/api/agents:get', { method: 'POST', headers: auth(), body: JSON.stringify({ name: '../etc' }) });
    expect(schema.status).toBe(400);
    expect(JSON.parse(schema.body)).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
    expect((await raw('/api/nope:nope', { method: 'POST', headers: auth() })).status).toBe(404);
    expect((await raw('/api/__proto__', { method: 'POST', headers: auth() })).status).toBe(404);
  });

  it('refuses an oversized body', async () => {
    const r = await raw('/api/agents:check', { method: 'POST', headers: auth(), body: 'x'.repeat(5 * 1024 * 1024) }).catch(() => ({ status: 413 }));
    expect(r.status).toBe(413);
  });

  it('serves static files with a strict CSP and no directory traversal', async () => {
    const r = await raw('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(r.headers['content-security-policy']).not.toMatch(/'unsafe-(eval|inline|hashes)'/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/..%5c..%5cpackage.json', '/%00']) expect((await raw(p)).status).toBe(404);
  });

  it('refuses the WebSocket without the token or from a foreign origin; accepts it with the token', async () => {
    const attempt = (protocols: string[], headers: Record<string, string> = {}): Promise<string> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${c.port}/api/ws`, protocols, { headers });
        ws.on('open', () => {
          ws.close();
          resolve(`open:${ws.protocol}`);
        });
        ws.on('unexpected-response', (_req, res) => resolve(`refused:${res.statusCode}`));
        ws.on('error', () => resolve('error'));
      });
    expect(await attempt(['paddock.v1'])).toBe('refused:401');
    expect(await attempt(['paddock.v1', 'paddock.token.wrong'])).toBe('refused:401');
    expect(await attempt(['paddock.v1', `paddock.token.${c.token}`], { Origin: 'http://evil.test' })).toBe('refused:403');
    expect(await attempt(['paddock.v1', `paddock.token.${c.token}`], { Origin: c.origin })).toBe('open:paddock.v1');
  });
});
