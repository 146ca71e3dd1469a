import { z } from 'zod';
import { API, API_EVENTS, type ApiEvent, type Channel } from '../../shared/api.js';
import { ERROR_CODES, PaddockError, type ErrorCode, type Result } from '../../shared/errors.js';
import type { Engine } from '../engine.js';
import type { ApiHandlers } from './handlers.js';

/** True when `name` is a channel of the API map (own key: `__proto__`, `toString`… are not). */
export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(API, name);
}

/** Turns anything thrown into the envelope's error: a code and a sentence, never a stack. */
export function toApiError(e: unknown): { code: ErrorCode; message: string } {
  if (e instanceof PaddockError) return { code: e.code, message: e.message };
  if (e instanceof z.ZodError) return { code: 'E_INVALID_INPUT', message: `invalid input: ${e.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}` };
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)) return { code: code as ErrorCode, message: (e as Error).message };
  return { code: 'E_INTERNAL', message: `Paddock failed: ${(e as Error)?.message ?? String(e)} (see paddock doctor)` };
}

/**
 * Validates `input` with the channel's zod schema, calls the handler and wraps the outcome in the
 * `{ok,value}|{ok:false,error}` envelope. The one entry point of IPC and of the web console.
 */
export async function dispatch(handlers: ApiHandlers, channel: string, input: unknown): Promise<Result<unknown>> {
  // Threat: a page calling a channel that does not exist (or an Object.prototype name).
  if (!isChannel(channel)) return { ok: false, error: { code: 'E_NOT_FOUND', message: `unknown API channel "${channel}"` } };
  const parsed = API[channel].input.safeParse(input);
  // Threat: a compromised page sending malformed input to the engine; the schema is the gate.
  if (!parsed.success) return { ok: false, error: toApiError(parsed.error) };
  try {
    const fn = handlers[channel] as (i: unknown) => Promise<unknown>;
    const value = await fn(parsed.data);
    return { ok: true, value: value === undefined ? null : value };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}

/** Subscribes to the engine's bus and calls `emit` for each API event. Returns the unsubscribe. */
export function subscribeApiEvents(engine: Engine, emit: (event: ApiEvent, payload: unknown) => void): () => void {
  const onEvent = (ev: { kind?: string }): void => {
    emit('activity:appended', ev);
    // An ask or its answer changes the inbox even when no approvals port announces it.
    if (ev.kind === 'approval.request' || ev.kind === 'approval.answer') emit('approvals:changed', null);
  };
  const onApprovals = (): void => emit('approvals:changed', null);
  const onRuns = (): void => emit('runs:changed', null);
  engine.bus.on('event', onEvent);
  engine.bus.on('approvals', onApprovals);
  engine.bus.on('runs', onRuns);
  return () => {
    engine.bus.off('event', onEvent);
    engine.bus.off('approvals', onApprovals);
    engine.bus.off('runs', onRuns);
  };
}

export { API_EVENTS };
