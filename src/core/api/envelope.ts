import { z } from 'zod';
import { ERROR_CODES, PaddockError, type ErrorCode } from '../../shared/errors.js';

/** The error half of the one envelope every host returns: a code and a sentence, never a stack. */
export interface EnvelopeError {
  code: ErrorCode;
  message: string;
}

/**
 * Turns anything thrown into the envelope's error. The one converter: IPC, the console's HTTP and
 * WebSocket routes and the control socket (its plain and its streaming methods) all use it, so a
 * failure reads the same on every host.
 */
export function toEnvelopeError(e: unknown): EnvelopeError {
  if (e instanceof PaddockError) return { code: e.code, message: e.message };
  if (e instanceof z.ZodError) return { code: 'E_INVALID_INPUT', message: `invalid input: ${e.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}` };
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)) return { code: code as ErrorCode, message: (e as Error).message };
  return { code: 'E_INTERNAL', message: `Paddock failed: ${(e as Error)?.message ?? String(e)} (see paddock doctor)` };
}
