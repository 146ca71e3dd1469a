import { describe, expect, it } from 'vitest';
import type { PaddockEvent } from '../../../src/shared/events.schema.js';
import { parseProfile } from '../../../src/core/agents/profile.js';
import { agentPolicy } from '../../../src/core/runs/prepare.js';
import { DENIED_NOTE, propose } from '../../../src/core/learn/propose.js';

const YAML = 'name: learner\nnetwork: on\nrules: |\n  allow net api.kept.com\n  ask net *\n  deny net *.evil.com\n';
let id = 0;
const ev = (kind: string, f: Record<string, unknown>): PaddockEvent => ({ id: ++id, ts: '2026-12-07T06:00:00.000Z', agent: 'learner', run: 'r-00000001', kind, ...f }) as PaddockEvent;
const net = (kind: string, host: string, port: number, f: Record<string, unknown> = {}) =>
  ev(kind, { host, port, address: null, rule: null, line: null, reason: 'x', learning: true, ...f });

function run(events: PaddockEvent[], yaml = YAML) {
  return propose({
    state: { agent: 'learner', on: false, since: 'a', until: 'b' },
    events,
    yaml,
    policyOf: (y) => agentPolicy(parseProfile(y, 'p.yaml', { home: '/home/u' }).ruleSet!.rules, () => [], '/home/u/agent'),
    writable: ['/ws', '/home/u/agent'],
    date: '2026-12-07',
  });
}

describe('the learned proposal', () => {
  const learned = (host: string, port = 443) => net('net.allow', host, port, { learned: true, rule: 'ask net *', line: 5, address: '93.184.216.34' });
  const events = [
    learned('a.example.co.uk'),
    learned('b.example.co.uk'),
    learned('a.example.co.uk'),
    learned('solo.example.org', 8443),
    net('net.allow', 'api.kept.com', 443, { rule: 'allow net api.kept.com', line: 4 }),
    net('net.deny', 'host.paddock.internal', 8001),
    net('net.deny', 'host.paddock.internal', 8002),
    net('net.deny', 'x.evil.com', 443, { rule: 'deny net *.evil.com', line: 6 }),
    net('net.deny', 'host.paddock.internal', 4242, { controlPlane: true }),
    ev('proc.exec', { pid: 3, argv: ['/usr/bin/curl', '-s'] }),
    ev('proc.exec', { pid: 4, argv: ['socat'], paddock: true }),
    ev('fs.change', { path: '/ws/out.txt', change: 'add' }),
  ];

  it('proposes exactly the rules needed: grouped, with ports, denied ones marked', () => {
    const p = run(events);
    expect(p.rules.map((r) => [r.rule, r.denied])).toEqual([
      ['allow net *.example.co.uk', false],
      ['allow net solo.example.org:8443', false],
      ['allow net host.paddock.internal:8001', true],
      ['allow net host.paddock.internal:8002', true],
    ]);
    expect(p.after).toContain(`  ${DENIED_NOTE}\n  allow net host.paddock.internal:8001\n`);
    expect(p.diff).toMatch(/^\+ {2}allow net \*\.example\.co\.uk$/m);
    expect(p.notProposed).toEqual([
      { target: 'host.paddock.internal:4242', why: "Paddock's own control plane: never reachable from an agent" },
      { target: 'x.evil.com:443', why: 'denied by your rule "deny net *.evil.com" (line 6)' },
    ]);
    expect(p.programs).toEqual([{ program: 'curl', count: 1 }]);
    expect(p.writes).toEqual([]);
    // The simulator over the learned history: the asks (a.example.co.uk twice, b once) and the denials (solo:8443 is outside `ask net *`'s ports) become allows.
    expect(p.simulation.transitions).toEqual(expect.arrayContaining([{ from: 'ask', to: 'allow', requests: 3 }, { from: 'deny', to: 'allow', requests: 3 }]));
    // The proposal parses, and everything it was made for is allowed by it.
    expect(parseProfile(p.after, 'p.yaml', { home: '/home/u' }).diagnostics).toEqual([]);
  });

  it('apex and subdomains: *.domain plus the apex', () => {
    const p = run([learned('example.com'), learned('a.example.com'), learned('b.example.com')]);
    expect(p.rules.map((r) => r.rule)).toEqual(['allow net *.example.com', 'allow net example.com']);
  });

  it('does not propose what an allow rule could not open (a named ask wins within its tier)', () => {
    const y = 'name: learner\nnetwork: on\nrules: |\n  ask net *.example.co.uk\n';
    const p = run([learned('a.example.co.uk')], y);
    expect(p.rules).toEqual([]);
    expect(p.after).toBe(y);
    expect(p.notProposed[0]!.why).toContain('ask net *.example.co.uk');
  });

  it('an empty period proposes nothing and changes nothing', () => {
    const p = run([]);
    expect(p.rules).toEqual([]);
    expect(p.diff).toBe('');
  });
});
