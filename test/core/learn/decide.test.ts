import { describe, expect, it } from 'vitest';
import { compilePolicy, parseRules } from '../../../src/core/policy/index.js';
import { vetConnection, type VetContext } from '../../../src/core/egress/vet.js';
import type { ResolvedAddress } from '../../../src/core/egress/types.js';

/** A vetting context with a fake resolver (no socket is opened: vetConnection only decides). */
function ctx(rules: string, names: Record<string, ResolvedAddress[]>, learning: boolean): VetContext & { asked: number } {
  const c = {
    asked: 0,
    learning,
    policy: compilePolicy(parseRules(rules).rules),
    resolve: async (h: string) => {
      const a = names[h];
      if (!a) throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
      return a;
    },
    ownAddresses: new Set<string>(),
    controlPorts: [4242],
    ask: async () => {
      c.asked++;
      return false; // nobody answers "yes": any real ask ends in a deny
    },
  };
  return c;
}

const v4 = (address: string): ResolvedAddress[] => [{ address, family: 4 }];
const NAMES: Record<string, ResolvedAddress[]> = {
  'a.example.co.uk': v4('93.184.216.34'),
  'nas.example.com': v4('192.168.1.10'),
  'mixed.example.com': [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }],
  'loop.example.com': v4('127.0.0.1'),
  'meta.example.com': v4('169.254.169.254'),
};

async function both(rules: string, host: string, port = 443) {
  const off = ctx(rules, NAMES, false);
  const on = ctx(rules, NAMES, true);
  return { off: await vetConnection(off, { host, port }), on: await vetConnection(on, { host, port }), askedOff: off.asked, askedOn: on.asked };
}

describe('learning mode: what it answers by itself', () => {
  it('a public host that would be asked is allowed without asking, and says it was learned', async () => {
    const r = await both('ask net *', 'a.example.co.uk');
    expect(r.off).toMatchObject({ effect: 'deny', asked: true });
    expect(r.askedOn).toBe(0);
    expect(r.on).toMatchObject({ effect: 'allow', learned: true, address: '93.184.216.34', decision: { rule: 'ask net *', line: 1 } });
    expect(r.on.decision.reason).toMatch(/^learning: would have asked \(ask net \*, line 1\); allowed and recorded/);
    // A public IP literal too.
    expect((await both('ask net *', '93.184.216.34')).on).toMatchObject({ effect: 'allow', learned: true });
  });

  it('private, loopback, metadata and mixed answers are decided exactly as without learning', async () => {
    for (const host of ['nas.example.com', 'mixed.example.com', 'loop.example.com', 'meta.example.com', '10.1.2.3', '127.0.0.1', '169.254.169.254', 'metadata.google.internal', 'localhost']) {
      const r = await both('ask net *', host);
      expect(r.on.effect, host).toBe('deny');
      expect(r.on.learned, host).toBeUndefined();
      expect(r.on.effect, host).toBe(r.off.effect);
    }
    // A name is not asked about first while learning (a public-looking name may be learned), so the
    // refusal names the private address it resolved to: the address check is what holds.
    expect((await both('ask net *', 'nas.example.com')).on.decision.reason).toContain('192.168.1.10, a private address');
    expect((await both('ask net *', 'meta.example.com')).on.decision.reason).toContain('169.254.169.254');
  });

  it('an ask rule naming a private range still asks the user (learning never answers for the LAN)', async () => {
    const r = await both('ask net 192.168.0.0/16\nask net *', 'nas.example.com');
    expect(r.askedOn).toBe(1);
    expect(r.on.effect).toBe('deny');
    expect(r.on.learned).toBeUndefined();
  });

  it('host.paddock.internal is never learned: an ask rule for it still asks; with no rule it is denied', async () => {
    const asked = await both('ask net host.paddock.internal:*', 'host.paddock.internal', 8080);
    expect(asked.askedOn).toBe(1);
    expect(asked.on).toMatchObject({ effect: 'deny', asked: true });
    const none = await both('ask net *', 'host.paddock.internal', 8080);
    expect(none.on).toMatchObject({ effect: 'deny' });
    expect(none.on.decision).toEqual(none.off.decision);
  });

  it('deny rules and the default deny hold', async () => {
    const r = await both('deny net *.example.co.uk\nask net *', 'a.example.co.uk');
    expect(r.on).toMatchObject({ effect: 'deny', decision: { rule: 'deny net *.example.co.uk' } });
    const d = await both('', 'a.example.co.uk');
    expect(d.on).toMatchObject({ effect: 'deny', decision: { rule: null } });
    expect(d.on.learned).toBeUndefined();
  });

  it('an allow stays an ordinary allow (not marked learned)', async () => {
    const r = await both('allow net a.example.co.uk', 'a.example.co.uk');
    expect(r.on).toMatchObject({ effect: 'allow', decision: { rule: 'allow net a.example.co.uk' } });
    expect(r.on.learned).toBeUndefined();
  });
});
