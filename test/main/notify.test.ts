import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PaddockEvent } from '../../src/shared/events.schema.js';

// Electron's Notification, mocked (the only thing mocked): records what the app asks it to show.
const made: Fake[] = [];
class Fake {
  handlers = new Map<string, (...a: unknown[]) => void>();
  shown = false;
  closed = false;
  constructor(readonly opts: { title: string; body: string; actions?: { text: string }[] }) {
    made.push(this);
  }
  on(ev: string, f: (...a: unknown[]) => void): this {
    this.handlers.set(ev, f);
    return this;
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
    this.handlers.get('close')?.();
  }
  static isSupported(): boolean {
    return true;
  }
}
vi.mock('electron', () => ({ Notification: Fake }));
const { notifyFor } = await import('../../src/main/notify.js');

const ask = (id: string): PaddockEvent =>
  ({ id: Number(id), ts: new Date().toISOString(), kind: 'approval.request', agent: 'fetcher', run: null, approval: id, approvalKind: 'net', what: 'net', target: 'example.com:443', detail: 'CONNECT example.com:443', rule: 'ask net *', expires: new Date(Date.now() + 60_000).toISOString() }) as unknown as PaddockEvent;

describe('native ask notifications', () => {
  const answers: [string, string][] = [];
  const opened: number[] = [];
  const ports = { answer: (id: string, a: string) => void answers.push([id, a]), open: () => void opened.push(1) };
  beforeEach(() => {
    made.length = 0;
    answers.length = 0;
    opened.length = 0;
  });

  it('names the agent, kind and target, with Allow once / Always allow / Deny actions that answer that ask', () => {
    notifyFor(ask('7'), ports);
    const n = made[0]!;
    expect(n.shown).toBe(true);
    expect(n.opts.title).toBe('fetcher asks: net example.com:443');
    expect(n.opts.body).toContain('CONNECT example.com:443');
    expect(n.opts.body).toMatch(/Denied in \d+ s unless you answer/);
    expect(n.opts.actions!.map((a) => a.text)).toEqual(['Allow once', 'Always allow', 'Deny']);
    n.handlers.get('action')!({}, 1);
    n.handlers.get('action')!({}, 2);
    n.handlers.get('action')!({}, 0);
    expect(answers).toEqual([['7', 'always'], ['7', 'deny'], ['7', 'once']]);
  });

  it('a click opens the window (where the ask prompt is)', () => {
    notifyFor(ask('8'), ports);
    made[0]!.handlers.get('click')!();
    expect(opened).toEqual([1]);
    expect(answers).toEqual([]);
  });

  it('is withdrawn once the ask is answered elsewhere; other asks stay', () => {
    notifyFor(ask('9'), ports);
    notifyFor(ask('10'), ports);
    notifyFor({ id: 11, ts: new Date().toISOString(), kind: 'approval.answer', agent: 'fetcher', run: null, approval: '9', answer: 'once' } as unknown as PaddockEvent, ports);
    expect(made[0]!.closed).toBe(true);
    expect(made[1]!.closed).toBe(false);
    expect(made).toHaveLength(2);
  });
});
