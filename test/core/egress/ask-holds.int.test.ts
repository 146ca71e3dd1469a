import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalQueue } from '../../../src/core/egress/approvals.js';
import { HOUR_MS } from '../../../src/core/egress/ask-holds.js';
import type { ApprovalOutcome } from '../../../src/core/egress/types.js';
import type { NewEvent } from '../../../src/shared/events.schema.js';
import { harness, rawExchange, startServer, waitFor, type Harness, type TestServer } from './harness.js';

const get = (port: number): string => `GET http://app.test:${port}/ HTTP/1.1\r\nHost: app.test:${port}\r\nConnection: close\r\n\r\n`;

describe('issue 16: an answered or unanswered ask holds, so retries do not flood the user', () => {
  let h: Harness;
  let srv: TestServer;
  beforeEach(async () => {
    h = harness({ aggregateWindowMs: 1 });
    srv = await startServer('127.0.0.1');
    h.names.set('app.test', [{ address: '127.0.0.1', family: 4 }]);
  });
  afterEach(async () => {
    await srv.close();
    await h.cleanup();
  });
  const rules = (): string => `ask net app.test:${srv.port}\nallow net 127.0.0.1:${srv.port}`;

  it('a denial holds for the rest of the run: retries are refused at once, with no new prompt', async () => {
    const sock = await h.open('alpha', rules());
    const first = rawExchange(sock, get(srv.port));
    await waitFor(() => h.queue.list().length === 1, 5000, 'the ask');
    const id = h.queue.list()[0]!.id;
    await h.queue.answer(id, 'deny');
    expect(await first).toMatch(/^HTTP\/1\.1 403/);
    for (let i = 0; i < 5; i++) expect(await rawExchange(sock, get(srv.port))).toMatch(/^HTTP\/1\.1 403/);
    expect(h.queue.list()).toHaveLength(0);
    expect(h.ofKind('approval.request')).toHaveLength(1);
    expect(srv.connections).toBe(0);
    await waitFor(() => h.ofKind('net.deny').some((e) => String(e.reason).includes(`denied earlier in this run (approval ${id})`)), 5000, 'the held denial event');
    expect(h.ofKind('net.ask')).toHaveLength(1); // the refused retries were no new asks
    // The run ended: the next run is asked again (positive control).
    h.queue.cancelAgent('alpha');
    const again = rawExchange(sock, get(srv.port));
    await waitFor(() => h.queue.list().length === 1, 5000, 'a new ask in the next run');
    await h.queue.answer(h.queue.list()[0]!.id, 'once');
    expect(await again).toMatch(/^HTTP\/1\.1 200/);
  });

  it('an unanswered ask holds too (denied, not asked again in the run)', async () => {
    const sock = await h.open('alpha', rules(), { timeoutS: 1 });
    expect(await rawExchange(sock, get(srv.port))).toMatch(/^HTTP\/1\.1 403/);
    expect(h.ofKind('approval.answer')[0]).toMatchObject({ answer: 'timeout', holds: 'run' });
    for (let i = 0; i < 3; i++) expect(await rawExchange(sock, get(srv.port))).toMatch(/^HTTP\/1\.1 403/);
    expect(h.ofKind('approval.request')).toHaveLength(1);
    await waitFor(() => h.ofKind('net.deny').some((e) => String(e.reason).includes('unanswered earlier in this run')), 5000, 'the held timeout event');
  });

  it('"allow for this run" lets the same target through without asking until the run ends', async () => {
    const sock = await h.open('alpha', rules());
    const first = rawExchange(sock, get(srv.port));
    await waitFor(() => h.queue.list().length === 1, 5000, 'the ask');
    await h.queue.answer(h.queue.list()[0]!.id, 'allow-run');
    expect(await first).toMatch(/^HTTP\/1\.1 200/);
    expect(await rawExchange(sock, get(srv.port))).toMatch(/^HTTP\/1\.1 200/);
    expect(h.ofKind('approval.request')).toHaveLength(1);
    expect(h.ofKind('rule.change')).toHaveLength(0); // not a rule
    h.queue.cancelAgent('alpha');
    const next = rawExchange(sock, get(srv.port));
    await waitFor(() => h.queue.list().length === 1, 5000, 'asked again after the run');
    await h.queue.answer(h.queue.list()[0]!.id, 'deny');
    expect(await next).toMatch(/^HTTP\/1\.1 403/);
  });

  it('"always" for a target an ask rule names: later requests pass unasked, logged with no net.ask and naming the answer', async () => {
    // The added `allow net app.test:PORT` cannot beat `ask net app.test:PORT` (ask > allow in a tier): the queue remembers the answer.
    const sock = await h.open('alpha', rules());
    const first = rawExchange(sock, get(srv.port));
    await waitFor(() => h.queue.list().length === 1, 5000, 'the ask');
    const id = h.queue.list()[0]!.id;
    await h.queue.answer(id, 'always');
    // Positive control: the first request was asked, and the answer added the rule.
    expect(await first).toMatch(/^HTTP\/1\.1 200/);
    expect(h.ofKind('net.ask')).toHaveLength(1);
    expect(h.ofKind('rule.change')).toHaveLength(1);
    for (let i = 0; i < 2; i++) expect(await rawExchange(sock, get(srv.port))).toMatch(/^HTTP\/1\.1 200/);
    expect(h.queue.list()).toHaveLength(0);
    expect(h.ofKind('approval.request')).toHaveLength(1);
    await waitFor(() => h.ofKind('net.allow').length === 3, 5000, 'three allowed requests');
    // Nobody was asked again: no net.ask for them, and their decision names the answer that made it.
    expect(h.ofKind('net.ask')).toHaveLength(1);
    expect(h.ofKind('net.allow').slice(1).map((e) => e.reason)).toEqual([0, 1].map(() => expect.stringContaining(`answered always earlier (approval ${id}); not asked again`)));
  });

  it('an agent that keeps asking raises one ask-flood alert (auto-pause off by default)', async () => {
    const sock = await h.open('alpha', `ask action *`, { mode: 'gate' });
    const body = (n: number): string => JSON.stringify({ action: `act-${n}`, detail: '' });
    const post = (n: number): Promise<string> =>
      rawExchange(sock, `POST http://paddock.ask/v1/ask HTTP/1.1\r\nHost: paddock.ask\r\nContent-Length: ${Buffer.byteLength(body(n))}\r\n\r\n${body(n)}`, /\}\n$/);
    const pending = Array.from({ length: 12 }, (_, n) => post(n));
    await waitFor(() => h.queue.list().length === 12, 5000, 'twelve asks');
    const alerts = h.ofKind('alert').filter((e) => e.type === 'ask-flood');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ agent: 'alpha', autoPause: false, asks: 11 });
    expect(h.paused).toHaveLength(0);
    for (const a of h.queue.list()) await h.queue.answer(a.id, 'deny');
    await Promise.all(pending);
  });
});

describe('the queue: scoped answers and holds (clock injected)', () => {
  let t = 1_000_000;
  const events: NewEvent[] = [];
  const mk = (): ApprovalQueue => new ApprovalQueue({ log: (e) => void events.push(e), addRule: () => {}, now: () => t });
  const req = { agent: 'a', kind: 'net' as const, target: 'x.test:443', detail: '', rule: null };
  const ask = async (q: ApprovalQueue, answer?: Parameters<ApprovalQueue['answer']>[1]): Promise<{ outcome: ApprovalOutcome; prompted: boolean }> => {
    const p = q.request(req);
    await Promise.resolve();
    const open = q.list()[0];
    if (open && answer) await q.answer(open.id, answer);
    return { outcome: await (open && !answer ? (q.close(), p) : p), prompted: open !== undefined };
  };

  it('"deny for 1 hour" outlives the run, lapses after the hour, and a rule edit clears it', async () => {
    const q = mk();
    expect(await ask(q, 'deny-1h')).toEqual({ outcome: 'deny-1h', prompted: true });
    q.cancelAgent('a'); // the run ended; the hour holds
    expect(await ask(q)).toEqual({ outcome: 'deny', prompted: false });
    t += HOUR_MS;
    expect(await ask(q, 'allow-1h')).toEqual({ outcome: 'allow-1h', prompted: true });
    expect(await ask(q)).toEqual({ outcome: 'once', prompted: false });
    q.clearStanding('a'); // the user edited the rules
    expect((await ask(q, 'once')).prompted).toBe(true);
    // "once" holds nothing: asked again.
    expect((await ask(q, 'deny')).prompted).toBe(true);
  });
});
