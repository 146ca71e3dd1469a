import { describe, expect, it } from 'vitest';
import { compilePolicy, parseRules, type NetRequest } from '../../../src/core/policy/index.js';
import type { Decision } from '../../../src/shared/rules.schema.js';

function policy(text: string) {
  const parsed = parseRules(text);
  expect(parsed.diagnostics).toEqual([]);
  return compilePolicy(parsed.rules);
}
function decide(text: string, req: NetRequest): Decision {
  const p = policy(text);
  const d = p.decideNet(req);
  // The index and the linear scan must always agree.
  expect(p.naiveDecideNet(req)).toEqual(d);
  return d;
}
const eff = (text: string, host: string, port = 443, address?: string): string => decide(text, { host, port, address }).effect;

describe('net patterns', () => {
  it('exact host matches only that host, in any case and with a trailing dot', () => {
    const r = 'allow net api.example.com';
    expect(eff(r, 'api.example.com')).toBe('allow');
    expect(eff(r, 'API.Example.COM.')).toBe('allow');
    expect(eff(r, 'x.api.example.com')).toBe('deny');
    expect(eff(r, 'example.com')).toBe('deny');
  });
  it('*.domain covers subdomains, not the apex', () => {
    const r = 'allow net *.github.com';
    expect(eff(r, 'api.github.com')).toBe('allow');
    expect(eff(r, 'a.b.github.com')).toBe('allow');
    expect(eff(r, 'github.com')).toBe('deny');
    expect(eff(r, 'evilgithub.com')).toBe('deny');
  });
  it('* covers public hosts but no special address in any spelling', () => {
    const r = 'allow net *';
    expect(eff(r, 'example.com')).toBe('allow');
    expect(eff(r, '8.8.8.8')).toBe('allow');
    for (const h of ['10.1.2.3', '127.0.0.1', '169.254.169.254', '::ffff:127.0.0.1', '[::1]', '127.1', '2130706433', '0x7f000001', '0177.0.0.1', '[::ffff:a9fe:a9fe]', '0.0.0.0', '[fe80::1]', '[64:ff9b::7f00:1]', 'localhost', 'x.localhost', 'metadata.google.internal'])
      expect([h, eff(r, h, 80)]).toEqual([h, 'deny']);
  });
  it('names resolving to special addresses are denied unless a rule names the address', () => {
    expect(eff('allow net *', 'example.com', 443, '10.0.0.5')).toBe('deny');
    expect(eff('allow net myname.test', 'myname.test', 443, '127.0.0.1')).toBe('deny');
    const d = decide('allow net myname.test', { host: 'myname.test', port: 443, address: '127.0.0.1' });
    expect(d.reason).toBe('myname.test resolved to 127.0.0.1, a loopback address: only a rule naming it can allow it');
    expect(eff('allow net myname.test\nallow net 127.0.0.1', 'myname.test', 443, '127.0.0.1')).toBe('allow');
    expect(eff('allow net myname.test\nallow net 127.0.0.0/8', 'myname.test', 443, '127.0.0.1')).toBe('allow');
    expect(eff('allow net myname.test\nallow net localhost', 'myname.test', 443, '127.0.0.1')).toBe('allow');
    // The address rule must cover the port too.
    expect(eff('allow net myname.test:8080\nallow net 127.0.0.1', 'myname.test', 8080, '127.0.0.1')).toBe('deny');
    // A public resolved address needs no rule of its own.
    expect(eff('allow net myname.test', 'myname.test', 443, '93.184.216.34')).toBe('allow');
    // An address rule alone does not allow a name.
    expect(eff('allow net 127.0.0.1', 'myname.test', 443, '127.0.0.1')).toBe('deny');
  });
  it('CIDR and literal rules open the special addresses they name, in every spelling', () => {
    expect(eff('allow net 10.0.0.0/8', '10.1.2.3')).toBe('allow');
    expect(eff('allow net 127.0.0.1', '2130706433', 80)).toBe('allow');
    expect(eff('allow net 127.0.0.1', '[::ffff:127.0.0.1]', 80)).toBe('allow');
    expect(eff('allow net 169.254.169.254', '169.254.169.254', 80)).toBe('allow');
    expect(eff('allow net 0x7f.1', '127.0.0.1', 80)).toBe('allow');
    expect(eff('allow net 127.0.0.1', '127.0.0.2', 80)).toBe('deny');
    expect(eff('allow net fd00::/8', '[fd12::1]', 443)).toBe('allow');
    expect(decide('allow net *', { host: '127.0.0.1', port: 80 }).reason).toBe('127.0.0.1 is a loopback address: only a rule naming it can allow it');
  });
  it('localhost covers the name and 127.0.0.1 / ::1 only', () => {
    const r = 'allow net localhost:8000';
    expect(eff(r, 'localhost', 8000)).toBe('allow');
    expect(eff(r, 'LOCALHOST.', 8000)).toBe('allow');
    expect(eff(r, '127.0.0.1', 8000)).toBe('allow');
    expect(eff(r, '[::1]', 8000)).toBe('allow');
    expect(eff(r, 'localhost', 8000, '127.0.0.1')).toBe('allow');
    expect(eff(r, 'localhost', 8000, '10.0.0.1')).toBe('deny');
    expect(eff(r, '10.0.0.1', 8000)).toBe('deny');
    expect(eff(r, 'localhost', 8001)).toBe('deny');
  });
  it('ports: default 80 and 443, single, range, any', () => {
    expect(eff('allow net a.test', 'a.test', 80)).toBe('allow');
    expect(eff('allow net a.test', 'a.test', 443)).toBe('allow');
    expect(eff('allow net a.test', 'a.test', 22)).toBe('deny');
    expect(eff('allow net a.test:22', 'a.test', 22)).toBe('allow');
    expect(eff('allow net a.test:22', 'a.test', 443)).toBe('deny');
    expect(eff('allow net a.test:8000-8100', 'a.test', 8100)).toBe('allow');
    expect(eff('allow net a.test:8000-8100', 'a.test', 8101)).toBe('deny');
    expect(eff('allow net a.test:*', 'a.test', 1)).toBe('allow');
    expect(eff('allow net [::1]:8000', '::1', 8000)).toBe('allow');
    expect(eff('allow net [::1]:8000', '[::1]', 8001)).toBe('deny');
    expect(eff('allow net a.test:*', 'a.test', 0)).toBe('deny');
    expect(eff('allow net a.test:*', 'a.test', 65536)).toBe('deny');
  });
  it('metadata names are reached only by a rule naming them exactly', () => {
    expect(eff('allow net *.google.internal', 'metadata.google.internal', 80)).toBe('deny');
    expect(eff('allow net metadata.google.internal', 'metadata.google.internal', 80)).toBe('allow');
    expect(eff('allow net metadata.google.internal', 'metadata.google.internal', 80, '169.254.169.254')).toBe('deny');
  });
  it('invalid hosts are denied and never treated as names', () => {
    for (const h of ['1.2.3.4.5', '08.0.0.1', '', 'a..b', 'a b', 'fe80::1%eth0', 'exa_mple.com/x', '*']) expect([h, eff('allow net *', h)]).toEqual([h, 'deny']);
    expect(eff('allow net *', 'example.com', 443, 'not-an-ip')).toBe('deny');
  });
});

describe('precedence', () => {
  it('within a tier deny > ask > allow regardless of order, first rule of the winning effect reported', () => {
    expect(decide('allow net a.test\nask net a.test\ndeny net a.test', { host: 'a.test', port: 443 })).toEqual({ effect: 'deny', rule: 'deny net a.test', line: 3, reason: 'matched deny net a.test' });
    expect(decide('allow net *\nask net *:*\ndeny net *:443', { host: 'a.test', port: 443 }).rule).toBe('deny net *:443');
    expect(decide('allow net a.test\nallow net *', { host: 'a.test', port: 443 }).line).toBe(1);
    expect(decide('allow net a.test', { host: 'a.test', port: 443 })).toEqual({ effect: 'allow', rule: 'allow net a.test', line: 1, reason: 'matched allow net a.test' });
    expect(decide('', { host: 'a.test', port: 443 })).toEqual({ effect: 'deny', rule: null, line: null, reason: 'default: net is denied (no rule allows a.test:443)' });
  });
  it('a rule naming the target beats a rule for any target (PRODUCT.md examples)', () => {
    const p = 'allow net api.anthropic.com\nask net *';
    expect(decide(p, { host: 'api.anthropic.com', port: 443 })).toMatchObject({ effect: 'allow', rule: 'allow net api.anthropic.com', line: 1 });
    expect(decide(p, { host: 'api.anthropic.com', port: 443, address: '160.79.104.10' })).toMatchObject({ effect: 'allow', line: 1 });
    expect(eff(p, 'other.test')).toBe('ask');
    expect(eff('deny net evil.test\nallow net *', 'evil.test')).toBe('deny');
    expect(eff('deny net evil.test\nallow net *', 'good.test')).toBe('allow');
    expect(eff('allow net a.test\ndeny net *', 'a.test', 443, '8.8.8.8')).toBe('allow');
    expect(eff('allow net *.a.test\ndeny net *:*', 'x.a.test', 443)).toBe('allow');
    expect(eff('allow net 127.0.0.1\ndeny net *', '127.0.0.1', 443)).toBe('allow');
    expect(eff('allow net 8.8.8.0/24\nask net *', '8.8.8.8', 443)).toBe('allow');
  });
  it('a deny naming the name or the address always denies', () => {
    expect(eff('allow net *\ndeny net 93.184.216.0/24', 'example.com', 443, '93.184.216.34')).toBe('deny');
    expect(eff('allow net example.com\ndeny net 93.184.216.0/24', 'example.com', 443, '93.184.216.34')).toBe('deny');
    expect(eff('allow net *\ndeny net *.evil.test', 'x.evil.test', 443, '8.8.8.8')).toBe('deny');
  });
  it('an address decided by * never loosens a host asked by *', () => {
    expect(eff('ask net *\nallow net 8.8.8.8', 'x.test', 443, '8.8.8.8')).toBe('ask');
  });
  it('an ask on the address escalates an allowed name', () => {
    expect(eff('allow net a.test\nask net 10.0.0.0/8', 'a.test', 443, '10.0.0.1')).toBe('ask');
    expect(eff('allow net *\nask net 8.8.8.0/24', 'a.test', 443, '8.8.8.8')).toBe('ask');
  });
});

describe('host.paddock.internal (the user\'s computer)', () => {
  const H = 'host.paddock.internal';
  it('only a rule naming it exactly opens it, with the usual port rules', () => {
    expect(eff(`allow net ${H}:11434`, H, 11434, '127.0.0.1')).toBe('allow');
    expect(eff(`allow net ${H}:11434`, 'HOST.Paddock.Internal.', 11434)).toBe('allow');
    expect(eff(`allow net ${H}`, H, 443, '127.0.0.1')).toBe('allow');
    expect(eff(`allow net ${H}`, H, 11434, '127.0.0.1')).toBe('deny');
    expect(eff(`ask net ${H}:*`, H, 8080, '::1')).toBe('ask');
    for (const r of ['allow net *', 'allow net *:*', 'ask net *', 'allow net *.internal:*', 'allow net *.paddock.internal:*', 'allow net localhost:*', 'allow net 127.0.0.1:*'])
      expect([r, eff(r, H, 11434, '127.0.0.1')]).toEqual([r, 'deny']);
    expect(decide('ask net *', { host: H, port: 11434 }).reason).toContain(`allow net ${H}:11434`);
  });
  it('deny rules apply, and it is never dialled on anything but loopback', () => {
    expect(eff(`allow net ${H}:*\ndeny net ${H}:22`, H, 22, '127.0.0.1')).toBe('deny');
    expect(eff(`allow net ${H}:*\ndeny net *`, H, 80, '127.0.0.1')).toBe('allow');
    expect(eff(`allow net ${H}:*`, H, 80, '10.0.0.1')).toBe('deny');
  });
  it('lines are mapped to profile-file lines', () => {
    const p = compilePolicy(parseRules('\nallow net a.test').rules, { lineOffset: 10 });
    expect(p.decideNet({ host: 'a.test', port: 443 }).line).toBe(12);
    const q = compilePolicy(parseRules('allow net a.test').rules, { mapLine: (l) => l * 100 });
    expect(q.decideNet({ host: 'a.test', port: 443 }).line).toBe(100);
  });
});
