import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PENDING_GATE } from '../../../src/core/egress/gate.js';
import { installHelpers } from '../../../src/core/egress/glue.js';
import { harness, rawExchange, waitFor, type Harness } from './harness.js';

const HOOK = path.resolve(import.meta.dirname, '../../../examples/claude-code/paddock-hook.mjs');

/** Runs a program; resolves with its exit code and output. */
function runProc(cmd: string, args: string[], env: Record<string, string>, stdin = ''): { done: Promise<{ code: number | null; out: string; err: string }> } {
  const p = spawn(cmd, args, { env: { PATH: '/usr/bin:/bin', ...env } });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  p.stdin.end(stdin);
  return { done: new Promise((r) => p.on('close', (code) => r({ code, out, err }))) };
}

describe('the ask gate, paddock-ask and the Claude Code hook', () => {
  let h: Harness;
  let sock: string;
  let bin: string;
  beforeEach(async () => {
    h = harness();
    bin = path.join(h.dir, 'bin');
    await installHelpers(bin);
    sock = await h.open('alpha', 'ask action send-email\ndeny action Bash(git push*)\nallow action Bash(ls*)', { mode: 'gate' });
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('paddock-ask send-email "to boss" blocks until answered and returns the answer', async () => {
    const env = { PADDOCK_ASK_SOCKET: sock };
    const first = runProc(path.join(bin, 'paddock-ask'), ['send-email', 'to "boss"\nsecond line'], env);
    await waitFor(() => h.queue.list().length === 1, 5000, 'the ask');
    const a = h.queue.list()[0]!;
    expect(a).toMatchObject({ agent: 'alpha', kind: 'action', target: 'send-email', detail: 'to "boss"\nsecond line', rule: 'ask action send-email' });
    await new Promise((r) => setTimeout(r, 300));
    let finished = false;
    void first.done.then(() => (finished = true));
    expect(finished).toBe(false); // still blocked
    await h.queue.answer(a.id, 'once');
    expect((await first.done).code).toBe(0);

    const second = runProc(path.join(bin, 'paddock-ask'), ['send-email', 'again'], env);
    await waitFor(() => h.queue.list().length === 1, 5000, 'the second ask');
    await h.queue.answer(h.queue.list()[0]!.id, 'deny');
    const r = await second.done;
    expect(r.code).toBe(1);
    expect(r.err).toContain('denied');
  });

  it('paddock-ask fails closed when the gate is unreachable', async () => {
    const r = await runProc(path.join(bin, 'paddock-ask'), ['send-email'], { PADDOCK_ASK_SOCKET: path.join(h.dir, 'nope.sock') }).done;
    expect(r.code).toBe(1);
  });

  it('answers HTTP clients directly from the rules (deny 403, allow 200)', async () => {
    const ask = (action: string): Promise<string> => {
      const body = JSON.stringify({ action, detail: '' });
      return rawExchange(sock, `POST http://paddock.ask/v1/ask HTTP/1.1\r\nHost: paddock.ask\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, /\}\n$/);
    };
    expect(await ask('Bash(git push origin main)')).toMatch(/^HTTP\/1\.1 403[^]*"decision":"deny"[^]*"rule":"deny action Bash\(git push\*\)"/);
    expect(await ask('Bash(ls -la)')).toMatch(/^HTTP\/1\.1 200[^]*"decision":"allow"/);
  });

  it('every gate decision is an action.* event naming the action, the rule and its line (issue 16 item 5)', async () => {
    const ask = (action: string): Promise<string> => {
      const body = JSON.stringify({ action, detail: 'why' });
      return rawExchange(sock, `POST http://paddock.ask/v1/ask HTTP/1.1\r\nHost: paddock.ask\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, /\}\n$/);
    };
    await ask('Bash(ls -la)');
    expect(h.ofKind('action.allow')).toEqual([expect.objectContaining({ agent: 'alpha', action: 'Bash(ls -la)', detail: 'why', rule: 'allow action Bash(ls*)', line: 3 })]);
    await ask('Bash(git push origin main)');
    expect(h.ofKind('action.deny')).toEqual([expect.objectContaining({ action: 'Bash(git push origin main)', rule: 'deny action Bash(git push*)', line: 2 })]);
    const asked = ask('send-email');
    await waitFor(() => h.queue.list().length === 1, 5000, 'the ask');
    expect(h.ofKind('action.ask')).toEqual([expect.objectContaining({ action: 'send-email', rule: 'ask action send-email', line: 1 })]);
    await h.queue.answer(h.queue.list()[0]!.id, 'deny');
    expect(await asked).toMatch(/^HTTP\/1\.1 403/);
    expect(h.ofKind('action.deny')[1]).toMatchObject({ action: 'send-email', rule: 'ask action send-email', line: 1, answer: 'deny' });
    expect(String(h.ofKind('action.deny')[1]!.reason)).toContain('denied by the user');
    // Held: the same action is refused at once, without a second prompt.
    expect(await ask('send-email')).toMatch(/^HTTP\/1\.1 403[^]*denied earlier in this run/);
    expect(h.ofKind('approval.request')).toHaveLength(1);
    expect(h.ofKind('action.ask')).toHaveLength(1); // the refused retry was no new ask
    expect(String(h.ofKind('action.deny')[2]!.reason)).toContain('denied earlier in this run');
  });

  it('the sample hook turns a denied Bash(git push) into a deny decision for Claude Code', async () => {
    const env = { PADDOCK_ASK_SOCKET: sock, PADDOCK_ASK: path.join(bin, 'paddock-ask') };
    const input = {
      session_id: 's1', transcript_path: '/tmp/t.jsonl', cwd: '/work', hook_event_name: 'PreToolUse',
      tool_name: 'Bash', tool_input: { command: 'git push origin main', description: 'Push' },
    };
    const r = await runProc(process.execPath, [HOOK], env, JSON.stringify(input)).done;
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { hookSpecificOutput: { hookEventName: string; permissionDecision: string; permissionDecisionReason: string } };
    expect(out.hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'deny' });
    expect(out.hookSpecificOutput.permissionDecisionReason).toContain('Bash(git push origin main)');

    const ok = await runProc(process.execPath, [HOOK], env, JSON.stringify({ ...input, tool_input: { command: 'ls -la' } })).done;
    expect(ok.code).toBe(0);
    expect(ok.out).toBe('');
  });

  it('holds at most MAX_PENDING_GATE asks per agent (429 past it); answered asks give their slots back', async () => {
    const ask = (detail: string): Promise<string> => {
      const body = JSON.stringify({ action: 'send-email', detail });
      return rawExchange(sock, `POST http://paddock.ask/v1/ask HTTP/1.1\r\nHost: paddock.ask\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`, /\r\n\r\n[\s\S]*\}\n/, 30_000);
    };
    const asks = (): number => h.events.filter((e) => e.kind === 'action.ask').length;
    const held = Array.from({ length: MAX_PENDING_GATE }, (_, i) => ask(`mail ${i}`));
    await waitFor(() => asks() === MAX_PENDING_GATE, 10_000, 'the pending asks');
    const refused = await ask('one too many');
    expect(refused).toMatch(/^HTTP\/1\.1 429/);
    expect(refused).toContain('too many pending asks');
    // Each detail is its own prompt (approving one answers that ask only); the answers free the slots.
    await waitFor(() => h.queue.list().length === MAX_PENDING_GATE, 5000, 'the prompts');
    for (const a of h.queue.list()) await h.queue.answer(a.id, 'once');
    for (const r of await Promise.all(held)) expect(r).toMatch(/^HTTP\/1\.1 200/);
    const again = ask('after the answer');
    await waitFor(() => asks() === MAX_PENDING_GATE + 1, 10_000, 'a new ask accepted');
    await waitFor(() => h.queue.list().length === 1, 5000, 'the new prompt');
    await h.queue.answer(h.queue.list()[0]!.id, 'deny');
    expect(await again).toMatch(/^HTTP\/1\.1 403/);
  });
});

describe('denials at the ask gate count towards denied-burst (issue 16)', () => {
  it('an agent refused by deny action rules again and again raises denied-burst', async () => {
    const h = harness({ alerts: { burstCount: 3, burstWindowMs: 60_000 } });
    try {
      const sock = await h.open('alpha', 'deny action drop-db\nallow action ls', { mode: 'gate' });
      const post = (action: string): Promise<string> => {
        const body = JSON.stringify({ action });
        return rawExchange(sock, `POST http://paddock.ask/v1/ask HTTP/1.1\r\nHost: paddock.ask\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, /\}\n$/);
      };
      for (let i = 0; i < 3; i++) await post('ls');
      expect(h.ofKind('alert')).toHaveLength(0); // allowed calls are no denials (positive control)
      for (let i = 0; i < 3; i++) expect(await post('drop-db')).toMatch(/^HTTP\/1\.1 403/);
      expect(h.ofKind('alert').filter((e) => e.type === 'denied-burst')).toHaveLength(1);
    } finally {
      await h.cleanup();
    }
  });
});
