import { describe, expect, it } from 'vitest';
import { hostBound, injectHeaders, newPlaceholder, type HeaderBinding } from '../../../src/core/vault/inject.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const token: HeaderBinding = { name: 'API_TOKEN', hosts: ['api.example.com'], header: 'Authorization: Bearer {}', placeholder: newPlaceholder(), value: 'real-token-123' };
const gh: HeaderBinding = { name: 'GH', hosts: ['*.github.test'], header: 'X-Api-Key: {}', placeholder: newPlaceholder(), value: 'gh-real' };
const all = [token, gh];

describe('placeholders', () => {
  it('are unguessable and distinct', () => {
    expect(newPlaceholder()).toMatch(/^paddock-placeholder-[0-9a-f]{32}$/);
    expect(newPlaceholder()).not.toBe(newPlaceholder());
  });
});

describe('hostBound', () => {
  it('matches exact names case-insensitively, ignoring a trailing dot; any port unless one is named', () => {
    expect(hostBound(['api.example.com'], 'API.example.com.:443')).toBe(true);
    expect(hostBound(['api.example.com'], 'api.example.com.evil.test')).toBe(false);
    expect(hostBound(['api.example.com:8443'], 'api.example.com:443')).toBe(false);
    expect(hostBound(['api.example.com:8443'], 'api.example.com:8443')).toBe(true);
  });
  it('*.domain covers subdomains only, not the apex nor look-alikes', () => {
    expect(hostBound(['*.github.test'], 'api.github.test')).toBe(true);
    expect(hostBound(['*.github.test'], 'github.test')).toBe(false);
    expect(hostBound(['*.github.test'], 'evilgithub.test')).toBe(false);
  });
  it('handles IPv6 literals in brackets', () => {
    expect(hostBound(['[::1]'], '[::1]:8443')).toBe(true);
    expect(hostBound(['127.0.0.1'], '127.0.0.1:8443')).toBe(true);
    expect(hostBound(['127.0.0.1'], '127.0.0.2:8443')).toBe(false);
  });
});

describe('injectHeaders', () => {
  it('replaces the placeholder with the value for the bound host', () => {
    const r = injectHeaders({ authorization: `Bearer ${token.placeholder}`, accept: '*/*' }, 'api.example.com:443', all);
    expect(r.headers.authorization).toBe('Bearer real-token-123');
    expect(r.headers.accept).toBe('*/*');
    expect(r.used).toEqual(['API_TOKEN']);
    expect(r.exfil).toEqual([]);
  });

  it('replaces inside HTTP Basic credentials (user:placeholder), re-encoded', () => {
    const r = injectHeaders({ Authorization: `Basic ${b64(`x-access-token:${token.placeholder}`)}` }, 'api.example.com', all);
    expect(r.headers.Authorization).toBe(`Basic ${b64('x-access-token:real-token-123')}`);
    expect(r.used).toEqual(['API_TOKEN']);
  });

  it('does not replace a placeholder going to an unbound host and reports it as exfil', () => {
    const h = { authorization: `Bearer ${token.placeholder}`, 'x-other': `k=${gh.placeholder}` };
    const r = injectHeaders(h, 'evil.test:443', all);
    expect(r.headers).toEqual(h);
    expect(r.used).toEqual([]);
    expect(r.exfil.sort()).toEqual(['API_TOKEN', 'GH']);
    expect(JSON.stringify(r.headers)).not.toContain('real-token-123');
  });

  it('detects exfil hidden in Basic credentials, in upper case, in header names and in arrays', () => {
    expect(injectHeaders({ 'proxy-authorization': `Basic ${b64(`u:${token.placeholder}`)}` }, 'evil.test', all).exfil).toEqual(['API_TOKEN']);
    expect(injectHeaders({ 'x-k': token.placeholder.toUpperCase() }, 'evil.test', all).exfil).toEqual(['API_TOKEN']);
    expect(injectHeaders({ [`x-${token.placeholder}`]: '1' }, 'evil.test', all).exfil).toEqual(['API_TOKEN']);
    const r = injectHeaders({ cookie: ['a=1', `b=${gh.placeholder}`] }, 'evil.test', all);
    expect(r.exfil).toEqual(['GH']);
    expect(r.headers.cookie).toEqual(['a=1', `b=${gh.placeholder}`]);
  });

  it('injects one secret and flags the other in the same request', () => {
    const r = injectHeaders({ authorization: `Bearer ${token.placeholder}`, 'x-leak': gh.placeholder }, 'api.example.com', all);
    expect(r.headers.authorization).toBe('Bearer real-token-123');
    expect(r.headers['x-leak']).toBe(gh.placeholder);
    expect(r.used).toEqual(['API_TOKEN']);
    expect(r.exfil).toEqual(['GH']);
  });

  it('adds the template header on a bound host that lacks it, never on other hosts', () => {
    const r = injectHeaders({ accept: 'x' }, 'api.github.test', all);
    expect(r.headers['X-Api-Key']).toBe('gh-real');
    expect(r.used).toEqual(['GH']);
    expect(injectHeaders({ accept: 'x' }, 'github.test', all).headers).toEqual({ accept: 'x' });
    // An existing header of that name is left alone (the agent chose what to send).
    expect(injectHeaders({ 'x-api-key': 'mine' }, 'api.github.test', all).headers).toEqual({ 'x-api-key': 'mine' });
  });

  it('refuses injection over plain HTTP and where the rules refuse the secret', () => {
    const h = { authorization: `Bearer ${token.placeholder}` };
    const plain = injectHeaders(h, 'api.example.com:80', all, { plainHttp: true });
    expect(plain.headers).toEqual(h);
    expect(plain.refused).toEqual(['API_TOKEN']);
    expect(plain.used).toEqual([]);
    const denied = injectHeaders(h, 'api.example.com', all, { allow: (n) => n !== 'API_TOKEN' });
    expect(denied.headers).toEqual(h);
    expect(denied.refused).toEqual(['API_TOKEN']);
    // allow: () => false lists the candidates to ask about, template ones included.
    expect(injectHeaders({}, 'api.github.test', all, { allow: () => false }).refused).toEqual(['GH']);
  });

  it('replaces only in the header the template declares: a placeholder in any other header of a bound-host request stays (reflection threat)', () => {
    const r = injectHeaders({ 'X-Debug': token.placeholder, cookie: `k=${token.placeholder}`, authorization: `Bearer ${token.placeholder}` }, 'api.example.com', all);
    expect(r.headers['X-Debug']).toBe(token.placeholder);
    expect(r.headers.cookie).toBe(`k=${token.placeholder}`);
    expect(r.headers.authorization).toBe('Bearer real-token-123');
    expect(r.used).toEqual(['API_TOKEN']);
    expect(r.exfil).toEqual([]);
    // Without the declared header, the template adds it; the other header still carries the placeholder only.
    const t = injectHeaders({ 'x-debug': gh.placeholder }, 'api.github.test', all);
    expect(t.headers).toEqual({ 'x-debug': gh.placeholder, 'X-Api-Key': 'gh-real' });
    expect(JSON.stringify(injectHeaders({ 'x-debug': `Basic ${b64(`u:${token.placeholder}`)}`, authorization: 'mine' }, 'api.example.com', all).headers)).not.toContain('real-token-123');
  });

  it('does not mutate its input', () => {
    const h = { authorization: `Bearer ${token.placeholder}` };
    injectHeaders(h, 'api.example.com', all);
    expect(h.authorization).toBe(`Bearer ${token.placeholder}`);
  });
});
