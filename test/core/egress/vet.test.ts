import { describe, expect, it } from 'vitest';
import { compilePolicy, parseRules } from '../../../src/core/policy/index.js';
import { answerRule, hostHeaderMatches, parseAbsoluteUri, parseAuthority } from '../../../src/core/egress/target.js';
import { vetConnection, type VetContext } from '../../../src/core/egress/vet.js';
import type { ResolvedAddress } from '../../../src/core/egress/types.js';

function ctx(rules: string, names: Record<string, ResolvedAddress[]> = {}, over: Partial<VetContext> = {}): VetContext & { resolved: string[]; asked: number } {
  const c = {
    resolved: [] as string[],
    asked: 0,
    policy: compilePolicy(parseRules(rules).rules),
    resolve: async (h: string) => {
      c.resolved.push(h);
      const a = names[h];
      if (!a) throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
      return a;
    },
    ownAddresses: new Set<string>(),
    controlPorts: [] as number[],
    ask: async () => {
      c.asked++;
      return true;
    },
    ...over,
  };
  return c;
}

describe('upstream failures are not denials', () => {
  it('an allowed name that does not resolve is a failure with its error code, keeping the deciding rule', async () => {
    const c = ctx('allow net gone.test');
    const v = await vetConnection(c, { host: 'gone.test', port: 443 });
    expect(v).toMatchObject({ failed: 'ENOTFOUND', decision: { rule: 'allow net gone.test', line: 1 } });
    expect(v.decision.reason).toContain('could not be resolved (ENOTFOUND)');
    // A name no rule allows is still a denial (never looked up).
    expect((await vetConnection(c, { host: 'other.test', port: 443 })).failed).toBeUndefined();
  });
});

describe('host.paddock.internal (the user\'s computer)', () => {
  it('is dialled on loopback without DNS, only with a rule naming it; * never opens it', async () => {
    const names = { 'host.paddock.internal': [{ address: '93.184.216.34', family: 4 as const }] };
    const c = ctx('allow net host.paddock.internal:11434', names);
    expect(await vetConnection(c, { host: 'Host.Paddock.Internal.', port: 11434 })).toMatchObject({
      effect: 'allow', address: '127.0.0.1', family: 4, fallback: { address: '::1', family: 6 }, decision: { rule: 'allow net host.paddock.internal:11434' },
    });
    expect((await vetConnection(c, { host: 'host.paddock.internal', port: 8080 })).effect).toBe('deny');
    const any = ctx('allow net *:*\nask net *', names);
    const d = await vetConnection(any, { host: 'host.paddock.internal', port: 11434 });
    expect(d).toMatchObject({ effect: 'deny', probe: null, controlPlane: false });
    expect(d.decision.reason).toContain('allow net host.paddock.internal:11434');
    expect(any.asked).toBe(0);
    expect([...c.resolved, ...any.resolved]).toEqual([]);
  });
  it('the control plane stays refused, with or without a rule, as a control-plane attempt', async () => {
    for (const rules of ['allow net host.paddock.internal:*', '']) {
      const c = ctx(rules, {}, { controlPorts: [4242] });
      expect(await vetConnection(c, { host: 'host.paddock.internal', port: 4242 }), rules).toMatchObject({ effect: 'deny', controlPlane: true });
    }
  });
});

describe('vetConnection (decision level, nothing is dialled)', () => {
  it('refuses cloud metadata, link-local and numeric loopback spellings under allow net *', async () => {
    const c = ctx('allow net *:*');
    for (const host of ['169.254.169.254', '169.254.1.1', '2130706433', '0177.0.0.1', '::ffff:169.254.169.254', '64:ff9b::7f00:1', 'metadata.google.internal', '0.0.0.0']) {
      const v = await vetConnection(c, { host, port: 80 });
      expect(v.effect, host).toBe('deny');
    }
    expect((await vetConnection(c, { host: '169.254.169.254', port: 80 })).probe).toBe('metadata');
    expect(c.resolved).toEqual([]);
  });

  it('checks every resolved address: one private answer among public ones refuses the name', async () => {
    const c = ctx('allow net *', { 'mixed.test': [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }], 'pub.test': [{ address: '93.184.216.34', family: 4 }] });
    const v = await vetConnection(c, { host: 'mixed.test', port: 443 });
    expect(v).toMatchObject({ effect: 'deny', address: '10.0.0.5', probe: 'private' });
    expect(await vetConnection(c, { host: 'pub.test', port: 443 })).toMatchObject({ effect: 'allow', address: '93.184.216.34', family: 4 });
  });

  it("treats the host's own public address as special unless a rule names it", async () => {
    const own = new Set(['203.0.114.7']);
    const names = { 'me.test': [{ address: '203.0.114.7', family: 4 as const }] };
    expect((await vetConnection(ctx('allow net *', names, { ownAddresses: own }), { host: 'me.test', port: 443 })).effect).toBe('deny');
    expect((await vetConnection(ctx('allow net *\nallow net 203.0.114.7', names, { ownAddresses: own }), { host: 'me.test', port: 443 })).effect).toBe('allow');
  });

  it('a rule naming localhost opens loopback even though 127.0.0.1 is also one of the host\'s own addresses', async () => {
    const names = { localhost: [{ address: '127.0.0.1', family: 4 as const }] };
    const own = new Set(['127.0.0.1', '203.0.114.7']);
    expect((await vetConnection(ctx('allow net localhost:8443', names, { ownAddresses: own }), { host: 'localhost', port: 8443 })).effect).toBe('allow');
    expect((await vetConnection(ctx('allow net *', names, { ownAddresses: own }), { host: 'localhost', port: 8443 })).effect).toBe('deny');
  });

  it('asks before any DNS lookup and denies without resolving when not approved', async () => {
    const c = ctx('ask net *', { 'x.test': [{ address: '93.184.216.34', family: 4 }] }, { ask: async () => false });
    const v = await vetConnection(c, { host: 'x.test', port: 443 });
    expect(v.effect).toBe('deny');
    expect(c.resolved).toEqual([]);
  });

  it('refuses the control plane even with a rule naming the address', async () => {
    const v = await vetConnection(ctx('allow net 127.0.0.1:*', {}, { controlPorts: [4000] }), { host: '127.0.0.1', port: 4000 });
    expect(v).toMatchObject({ effect: 'deny', controlPlane: true });
  });

  it('knows when SSH on port 22 is intended (explicit port) and when not', async () => {
    expect((await vetConnection(ctx('allow net 93.184.216.34:22'), { host: '93.184.216.34', port: 22 })).sshIntended).toBe(true);
    expect((await vetConnection(ctx('allow net 93.184.216.34:*'), { host: '93.184.216.34', port: 22 })).sshIntended).toBe(false);
  });
});

describe('targets and answer rules', () => {
  it('parses CONNECT authorities and absolute URIs strictly', () => {
    expect(parseAuthority('example.com:443')).toEqual({ host: 'example.com', port: 443 });
    expect(parseAuthority('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseAuthority('example.com')).toBeNull();
    expect(parseAuthority('a@b:80')).toBeNull();
    expect(parseAuthority('::1:80')).toBeNull();
    expect(parseAuthority('x:0')).toBeNull();
    expect(parseAbsoluteUri('http://a.test/p?q')).toEqual({ target: { host: 'a.test', port: 80 }, path: '/p?q' });
    expect(parseAbsoluteUri('http://u@a.test/')).toHaveProperty('error');
    expect(parseAbsoluteUri('https://a.test/')).toHaveProperty('error');
  });

  it('compares Host headers canonically', () => {
    expect(hostHeaderMatches('A.test', { host: 'a.test', port: 80 })).toBe(true);
    expect(hostHeaderMatches('a.test:8080', { host: 'a.test', port: 80 })).toBe(false);
    expect(hostHeaderMatches('127.1', { host: '127.0.0.1', port: 80 })).toBe(true);
    expect(hostHeaderMatches('b.test', { host: 'a.test', port: 80 })).toBe(false);
  });

  it('writes narrow rules for always / deny-always and refuses to write injected ones', () => {
    expect(answerRule('net', 'api.test:443', 'always')).toBe('allow net api.test:443');
    expect(answerRule('net', '[::1]:8000', 'always')).toBe('allow net [::1]:8000');
    expect(answerRule('net', 'evil.test:443', 'deny-always')).toBe('deny net evil.test:*');
    expect(answerRule('action', 'Bash(git push)', 'always')).toBe('allow action Bash(git push)');
    expect(answerRule('action', '*', 'always')).toBeNull();
    expect(answerRule('action', 'x\nallow net *', 'always')).toBeNull();
    expect(answerRule('action', 'x # c', 'always')).toBeNull();
    const parsed = parseRules([answerRule('net', '[::1]:8000', 'always'), answerRule('net', 'evil.test:443', 'deny-always')].join('\n'));
    expect(parsed.diagnostics).toEqual([]);
  });
});
