import { describe, expect, it } from 'vitest';
import { groupTargets, registrableDomain } from '../../../src/core/learn/group.js';

const pats = (t: { host: string; port: number }[]) => groupTargets(t).map((g) => g.pattern);

describe('grouping learned hosts with the Public Suffix List', () => {
  it('two subdomains of one registrable domain become *.domain (co.uk is a suffix, not a domain)', () => {
    expect(pats([{ host: 'a.example.co.uk', port: 443 }, { host: 'b.example.co.uk', port: 443 }])).toEqual(['*.example.co.uk']);
    expect(registrableDomain('a.example.co.uk')).toBe('example.co.uk');
  });
  it('a single host stays exact', () => {
    expect(pats([{ host: 'api.example.com', port: 443 }, { host: 'api.example.com', port: 80 }])).toEqual(['api.example.com']);
  });
  it('the apex is kept beside *.domain (which excludes it)', () => {
    expect(pats([{ host: 'example.com', port: 443 }, { host: 'a.example.com', port: 443 }, { host: 'b.example.com', port: 443 }])).toEqual(['*.example.com', 'example.com']);
    expect(pats([{ host: 'example.com', port: 443 }, { host: 'a.example.com', port: 443 }])).toEqual(['a.example.com', 'example.com']);
  });
  it('ports other than 80/443 become :PORT', () => {
    expect(pats([{ host: 'a.example.com', port: 8443 }, { host: 'b.example.com', port: 443 }])).toEqual(['*.example.com', '*.example.com:8443']);
    expect(pats([{ host: '2001:db8::1', port: 8000 }])).toEqual(['[2001:db8::1]:8000']);
  });
  it('never widens private suffixes, unknown suffixes, the user\'s computer or addresses', () => {
    expect(pats([{ host: 'a.github.io', port: 443 }, { host: 'b.github.io', port: 443 }])).toEqual(['a.github.io', 'b.github.io']);
    expect(pats([{ host: 'a.corp.test', port: 443 }, { host: 'b.corp.test', port: 443 }])).toEqual(['a.corp.test', 'b.corp.test']);
    expect(pats([{ host: 'host.paddock.internal', port: 8001 }, { host: 'host.paddock.internal', port: 8002 }])).toEqual(['host.paddock.internal:8001', 'host.paddock.internal:8002']);
    expect(pats([{ host: '93.184.216.34', port: 443 }])).toEqual(['93.184.216.34']);
  });
});

describe('order', () => {
  it('ports sort by number', () => {
    expect(pats([{ host: 'host.paddock.internal', port: 40000 }, { host: 'host.paddock.internal', port: 8001 }])).toEqual(['host.paddock.internal:8001', 'host.paddock.internal:40000']);
  });
});
