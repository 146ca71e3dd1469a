import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress, compilePolicy, parseIp, parseRules, type NetRequest } from '../../../src/core/policy/index.js';

const NAMES = ['a.test', 'b.a.test', 'x.b.a.test', 'c.test', 'localhost', 'x.localhost', 'metadata.google.internal', 'google.internal', 'test', 'host.paddock.internal', 'paddock.internal'];
const IPS = ['127.0.0.1', '127.0.0.2', '10.0.0.1', '10.1.2.3', '8.8.8.8', '8.8.4.4', '169.254.169.254', '192.168.1.1', '::1', 'fd00::1', '2606:4700::1', '64:ff9b::7f00:1'];
const SPELLINGS = ['127.1', '2130706433', '0x7f000001', '0177.0.0.1', '[::ffff:127.0.0.1]', '[::ffff:a00:1]', '[::1]', '134744072', 'A.TEST.', 'LocalHost'];
const CIDRS = ['10.0.0.0/8', '10.1.0.0/16', '127.0.0.0/8', '0.0.0.0/0', '8.8.8.0/24', '169.254.0.0/16', 'fd00::/8', '::/0', '2606:4700::/32', '64:ff9b::/96'];
const PORTS = [80, 443, 22, 8000, 8050];

const portSuffix = fc.constantFrom('', ':443', ':22', ':8000-8100', ':*', ':80');
const v6 = (s: string): boolean => s.includes(':');
const hostPattern = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.constantFrom(...NAMES).map((n) => `*.${n}`),
  fc.constant('*'),
  fc.constantFrom(...IPS),
  fc.constantFrom(...CIDRS),
);
const rule = fc
  .tuple(fc.constantFrom('allow', 'allow', 'ask', 'deny'), hostPattern, portSuffix)
  .map(([e, h, p]) => `${e} net ${v6(h) && p !== '' ? `[${h.replace(/\/.*/, '')}]` : h}${p}`);
const request: fc.Arbitrary<NetRequest> = fc.record(
  {
    host: fc.constantFrom(...NAMES, ...IPS, ...SPELLINGS),
    port: fc.constantFrom(...PORTS),
    address: fc.constantFrom(...IPS),
  },
  { requiredKeys: ['host', 'port'] },
);

describe('indexed matcher agrees with the linear scan (property)', () => {
  it('on random rule sets and requests', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 25 }), fc.array(request, { minLength: 1, maxLength: 10 }), (rules, reqs) => {
        const parsed = parseRules(rules.join('\n'));
        const p = compilePolicy(parsed.rules);
        for (const r of reqs) expect(p.decideNet(r)).toEqual(p.naiveDecideNet(r));
      }),
      { numRuns: 3000 },
    );
  });

  it('wildcard and name rules never open a special address, nor host.paddock.internal', () => {
    const names = NAMES.filter((n) => n !== 'localhost' && n !== 'host.paddock.internal');
    const wild = fc
      .tuple(fc.constantFrom('allow', 'ask'), fc.oneof(fc.constant('*'), fc.constantFrom(...NAMES).filter((n) => n !== 'localhost').map((n) => `*.${n}`), fc.constantFrom(...names)), portSuffix)
      .map(([e, h, p]) => `${e} net ${h}${p}`);
    fc.assert(
      fc.property(fc.array(wild, { maxLength: 15 }), request, (rules, req) => {
        const p = compilePolicy(parseRules(rules.join('\n')).rules);
        const hostIp = parseIp(req.host.replace(/\.$/, ''));
        const addrIp = req.address ? parseIp(req.address) : null;
        const special = (hostIp && classifyAddress(hostIp) !== 'public') || (addrIp && classifyAddress(addrIp) !== 'public');
        if (special || req.host === 'host.paddock.internal') expect(p.decideNet(req).effect).toBe('deny');
      }),
      { numRuns: 2000 },
    );
  });
});
