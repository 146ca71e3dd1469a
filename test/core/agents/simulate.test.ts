import { describe, expect, it } from 'vitest';
import type { PaddockEvent } from '../../../src/shared/events.schema.js';
import { describeTransitions, recordedRequests, simulateNet } from '../../../src/core/agents/simulate.js';
import { compilePolicy } from '../../../src/core/policy/evaluator.js';
import { parseRules } from '../../../src/core/policy/rule-parser.js';

const policy = (text: string) => compilePolicy(parseRules(text).rules);
let id = 0;
const net = (kind: 'net.allow' | 'net.deny' | 'net.ask', host: string, port: number, extra: Record<string, unknown> = {}): PaddockEvent =>
  ({ id: ++id, ts: new Date().toISOString(), agent: 'a', kind, host, port, rule: null, line: null, reason: 'r', ...extra }) as PaddockEvent;

describe('rule simulation over the recorded history', () => {
  it('lists the denied requests a new allow rule would let through, with both deciding rules', () => {
    const events = [net('net.deny', 'api.example.com', 443), net('net.deny', 'api.example.com', 443, { count: 4 }), net('net.allow', 'pypi.org', 443), net('net.deny', 'evil.test', 443)];
    const r = simulateNet(events, policy('allow net pypi.org'), policy('allow net pypi.org\nallow net api.example.com'));
    expect(r.distinct).toBe(3);
    expect(r.changes).toEqual([
      { host: 'api.example.com', port: 443, address: null, count: 5, before: { effect: 'deny', rule: null, line: null }, after: { effect: 'allow', rule: 'allow net api.example.com', line: 2 } },
    ]);
    expect(describeTransitions(r.transitions)).toEqual(['This change would allow 5 requests that were denied.']);
  });

  it('follows the two tiers: a named allow added under ask net * lets its host through; deny net * leaves named hosts alone', () => {
    const events = [net('net.ask', 'api.anthropic.com', 443), net('net.allow', 'api.anthropic.com', 443, { address: '160.79.104.10' }), net('net.allow', 'other.test', 443, { address: '8.8.8.8' }), net('net.allow', 'host.paddock.internal', 11434, { address: '127.0.0.1' })];
    const before = policy('ask net *\nallow net host.paddock.internal:11434');
    const r = simulateNet(events, before, policy('allow net api.anthropic.com\nask net *\nallow net host.paddock.internal:11434'));
    expect(r.changes.map((c) => [c.host, c.before.effect, c.after.effect, c.after.rule])).toEqual([['api.anthropic.com', 'ask', 'allow', 'allow net api.anthropic.com']]);
    const d = simulateNet(events, before, policy('deny net *\nallow net host.paddock.internal:11434'));
    expect(d.changes.map((c) => [c.host, c.after.effect])).toEqual([['api.anthropic.com', 'deny'], ['other.test', 'deny']]);
  });

  it('a broad deny shows every allowed request it would now refuse; unchanged rules change nothing', () => {
    const events = [net('net.allow', 'a.test', 443), net('net.allow', 'b.test', 80), net('net.allow', '10.0.0.5', 8080)];
    const cur = policy('allow net *\nallow net 10.0.0.5:8080');
    expect(simulateNet(events, cur, cur).changes).toEqual([]);
    const r = simulateNet(events, cur, policy('allow net *\nallow net 10.0.0.5:8080\ndeny net *.test'));
    expect(r.changes.map((c) => [c.host, c.after.effect, c.after.rule])).toEqual([['a.test', 'deny', 'deny net *.test'], ['b.test', 'deny', 'deny net *.test']]);
    expect(r.transitions).toEqual([{ from: 'allow', to: 'deny', requests: 2 }]);
  });

  it('decides on the dialled address too: a name resolving to a private address stays denied without a rule naming it', () => {
    const events = [net('net.deny', 'intranet.test', 443, { address: '10.1.2.3' })];
    const r = simulateNet(events, policy(''), policy('allow net intranet.test'));
    expect(r.changes).toEqual([]);
    const r2 = simulateNet(events, policy(''), policy('allow net intranet.test\nallow net 10.1.2.3'));
    expect(r2.changes[0]?.after.effect).toBe('allow');
  });

  it('counts an ask once with its final outcome, keeps pending asks, skips flood folds', () => {
    const events = [
      net('net.ask', 'x.test', 443),
      { id: ++id, ts: '', agent: 'a', kind: 'approval.request', approval: '9', approvalKind: 'net', target: 'x.test:443' } as unknown as PaddockEvent,
      net('net.allow', 'x.test', 443),
      { id: ++id, ts: '', agent: 'a', kind: 'approval.request', approval: '10', approvalKind: 'net', target: '[::1]:8000' } as unknown as PaddockEvent,
      net('net.deny', '*', 443, { count: 900 }),
    ];
    const { requests, considered } = recordedRequests(events);
    expect(considered).toBe(4);
    expect(requests).toEqual([{ host: 'x.test', port: 443, address: null, count: 1 }, { host: '::1', port: 8000, address: null, count: 1 }]);
  });

  it('an ask covered by a remembered "always" answer counts as allowed', () => {
    const events = [net('net.allow', 'x.test', 443)];
    const r = simulateNet(events, policy('allow net x.test'), policy('ask net *'), (q) => q.host === 'x.test');
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]!.after).toMatchObject({ effect: 'allow', rule: 'ask net * (answered "always" before)' });
    expect(r.transitions).toEqual([]);
  });
});
