import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../src/shared/events.schema.js';
import { ApprovalQueue, MAX_PENDING_PER_AGENT } from '../../../src/core/egress/approvals.js';
import { CpuWatch } from '../../../src/core/egress/cpu-watch.js';
import { NetEventAggregator } from '../../../src/core/egress/net-events.js';
import { looksLikeSsh, Tripwires } from '../../../src/core/egress/tripwires.js';

describe('CpuWatch (cpu-sustained)', () => {
  it('fires once after the agent stays above the threshold for the sustained period, and auto-pauses when configured', async () => {
    let now = 0;
    const events: NewEvent[] = [];
    const paused: string[] = [];
    const tw = new Tripwires({ log: (e) => events.push(e), pause: (a) => void paused.push(a), now: () => now, config: { types: { 'cpu-sustained': { autoPause: true } } } });
    let cpu = 1.8;
    const w = new CpuWatch({ stats: () => cpu, tripwires: tw, threshold: 0.9, sustainedMs: 10_000, now: () => now });
    w.watch('miner');
    for (let t = 0; t <= 9_000; t += 1000) {
      now = t;
      await w.sample();
    }
    expect(events).toHaveLength(0);
    now = 10_000;
    await w.sample();
    now = 11_000;
    await w.sample();
    expect(events.filter((e) => e.type === 'cpu-sustained')).toHaveLength(1);
    expect(paused).toEqual(['miner']);
    cpu = 0.1; // a calm sample re-arms it
    now = 12_000;
    await w.sample();
    w.stop();
  });

  it('does not fire for short spikes', async () => {
    let now = 0;
    const events: NewEvent[] = [];
    const tw = new Tripwires({ log: (e) => events.push(e), now: () => now });
    const seq = [2, 2, 0.1, 2, 2, 0.1, 2, 2];
    let i = 0;
    const w = new CpuWatch({ stats: () => seq[i++ % seq.length]!, tripwires: tw, sustainedMs: 2500, now: () => now });
    w.watch('spiky');
    for (; now < 8000; now += 1000) await w.sample();
    expect(events).toHaveLength(0);
    w.stop();
  });
});

describe('tripwires and events', () => {
  it('recognises SSH banners and not TLS or HTTP', () => {
    expect(looksLikeSsh(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'))).toBe(true);
    expect(looksLikeSsh(Buffer.from('hello\r\nSSH-2.0-x\r\n'))).toBe(true);
    expect(looksLikeSsh(Buffer.from([0x16, 0x03, 0x01, 0x00]))).toBe(false);
    expect(looksLikeSsh(Buffer.from('HTTP/1.1 200 OK\r\n'))).toBe(false);
  });

  it('folds repeats per target and floods of distinct targets per kind', () => {
    const now = 0;
    const out: NewEvent[] = [];
    const agg = new NetEventAggregator((e) => out.push(e), { windowMs: 1000, budget: 5, now: () => now });
    const ev = (host: string): Parameters<NetEventAggregator['emit']>[0] => ({ kind: 'net.deny', agent: 'a', host, port: 443, address: null, rule: null, line: null, reason: 'r' });
    for (let i = 0; i < 100; i++) agg.emit(ev('same.test'));
    for (let i = 0; i < 100; i++) agg.emit(ev(`r${i}.test`));
    agg.flush();
    const total = out.reduce((n, e) => n + ((e.count as number | undefined) ?? 1), 0);
    expect(total).toBe(200);
    expect(out.length).toBeLessThanOrEqual(7);
    agg.close();
  });

  it('denies at once, without a prompt, an agent that already has MAX_PENDING_PER_AGENT open asks', async () => {
    const q = new ApprovalQueue({ log: () => {}, addRule: () => {} });
    const ask = (agent: string, target: string): Promise<string> => q.request({ agent, kind: 'net', target, detail: '', rule: null, timeoutMs: 60_000 });
    for (let i = 0; i < MAX_PENDING_PER_AGENT; i++) void ask('flood', `h${i}.ask.test:443`);
    expect(q.list()).toHaveLength(MAX_PENDING_PER_AGENT);
    expect(await ask('flood', 'one-more.ask.test:443')).toBe('deny');
    expect(q.list()).toHaveLength(MAX_PENDING_PER_AGENT);
    // A second ask for an open target merges (no new prompt), and another agent still asks.
    const merged = ask('flood', 'h0.ask.test:443');
    const other = ask('calm', 'a.test:443');
    expect(q.list()).toHaveLength(MAX_PENDING_PER_AGENT + 1);
    q.cancelAgent('flood');
    q.cancelAgent('calm');
    expect(await merged).toBe('deny');
    expect(await other).toBe('deny');
  });

  it('an approval merged across waiters gets one answer; a late answer is refused', async () => {
    const events: NewEvent[] = [];
    const q = new ApprovalQueue({ log: (e) => events.push(e), addRule: () => {} });
    const a = q.request({ agent: 'x', kind: 'action', target: 'send-email', detail: '', rule: null, timeoutMs: 60_000 });
    const b = q.request({ agent: 'x', kind: 'action', target: 'send-email', detail: '', rule: null, timeoutMs: 60_000 });
    const c = q.request({ agent: 'y', kind: 'action', target: 'send-email', detail: '', rule: null, timeoutMs: 60_000 });
    expect(q.list()).toHaveLength(2);
    const id = q.list().find((p) => p.agent === 'x')!.id;
    expect(await q.answer(id, 'deny')).toBe(true);
    expect(await a).toBe('deny');
    expect(await b).toBe('deny');
    expect(await q.answer(id, 'once')).toBe(false);
    q.cancelAgent('y');
    expect(await c).toBe('deny');
  });
});
