/**
 * The ask gate: `POST http://paddock.ask/v1/ask` with `{"action": "...", "detail": "..."}`,
 * decided by the agent's `action` rules. Answers 200 `{"decision":"allow"}` or 403
 * `{"decision":"deny"}`; an `ask` holds the request until the user answers. Works whether the
 * network switch is on or off (PRODUCT.md "The ask gate").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/index.js';
import { approved, clientGone } from './approvals.js';
import type { ProxyAgent } from './types.js';

/** The host name of the gate (never resolved, never dialled). */
export const GATE_HOST = 'paddock.ask';
const MAX_BODY = 64 * 1024;
/** Concurrent gate requests per agent (threat: piling up prompts to wear the user down). */
export const MAX_PENDING_GATE = 16;

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent || res.destroyed) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text);
}


/** Parses `{action, detail}`; returns an error sentence when it is not acceptable. */
export function parseAsk(text: string): { action: string; detail: string } | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: 'the body must be JSON: {"action": "send-email", "detail": "..."}' };
  }
  if (typeof v !== 'object' || v === null) return { error: 'the body must be a JSON object with "action"' };
  const { action, detail } = v as { action?: unknown; detail?: unknown };
  if (typeof action !== 'string' || action.trim() === '' || action.length > 200 || /[\u0000-\u001f\u007f]/.test(action))
    return { error: '"action" must be a non-empty single-line string of at most 200 characters' };
  if (detail !== undefined && typeof detail !== 'string') return { error: '"detail" must be a string' };
  return { action: action.trim(), detail: (detail ?? '').slice(0, 2000) };
}

/** Handles one request addressed to the gate. */
export async function handleGate(p: ProxyAgent, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (path !== '/v1/ask' || req.method !== 'POST') {
    send(res, 404, { error: 'the ask gate answers POST /v1/ask with {"action": "...", "detail": "..."}' });
    return;
  }
  const body = await readBody(req, MAX_BODY);
  if (body === null) return send(res, 413, { error: `the request body is larger than ${MAX_BODY} bytes` });
  const ask = parseAsk(body);
  if ('error' in ask) return send(res, 400, { error: ask.error });
  const decision = p.policy.decide('action', ask.action);
  // Every decision of the gate is an event of its own, like net.* (issue 16 item 5).
  const event = (kind: 'action.allow' | 'action.deny' | 'action.ask', reason: string, extra: Record<string, unknown> = {}): void =>
    p.log({ kind, agent: p.agent, run: p.run, action: ask.action, detail: ask.detail, rule: decision.rule, line: decision.line, reason, ...extra });
  if (decision.effect === 'allow') {
    event('action.allow', decision.reason);
    return send(res, 200, { decision: 'allow', rule: decision.rule, line: decision.line, reason: decision.reason });
  }
  if (decision.effect === 'deny') {
    event('action.deny', decision.reason);
    p.denied();
    return send(res, 403, { decision: 'deny', rule: decision.rule, line: decision.line, reason: decision.reason });
  }
  if (!p.takeSlot('gate', MAX_PENDING_GATE)) {
    const reason = `too many pending asks from this agent (at most ${MAX_PENDING_GATE}); try again later`;
    event('action.deny', reason);
    p.denied(); // an agent that keeps asking past the cap is flagged (denied-burst), not only refused
    return send(res, 429, { decision: 'deny', reason });
  }
  const signal = clientGone(res);
  const held: { reason: string | null } = { reason: null };
  try {
    const asked = p.approvals.request({
      agent: p.agent, run: p.run, kind: 'action', target: ask.action, detail: ask.detail, rule: decision.rule,
      timeoutMs: p.approvalTimeoutMs, signal,
      onHeld: (r) => void (held.reason = r),
    });
    // Told synchronously when an earlier answer decides: then it is no new ask, only its allow/deny is logged.
    if (held.reason === null) event('action.ask', decision.reason);
    const outcome = await asked;
    const shown = held.reason;
    if (approved(outcome)) {
      const reason = shown ?? 'approved by the user';
      event('action.allow', `${decision.reason}; ${reason}`, { answer: outcome });
      send(res, 200, { decision: 'allow', answer: outcome, rule: decision.rule, reason });
    } else {
      const reason = shown ?? (outcome === 'timeout' ? 'no answer in time: denied' : 'denied by the user');
      event('action.deny', `${decision.reason}; ${reason}`, { answer: outcome });
      p.denied();
      send(res, 403, { decision: 'deny', answer: outcome, rule: decision.rule, reason });
    }
  } finally {
    p.releaseSlot('gate');
  }
}
