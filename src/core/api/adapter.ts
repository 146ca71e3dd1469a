import type { z } from 'zod';
import type { Result } from '../../shared/errors.js';
import { toEnvelopeError } from './envelope.js';

/** A map of calls: name → zod input schema (the API map, or the control socket's map). */
export type CallMap = Record<string, { input: z.ZodType }>;

/** One handler per name of the map; `ctx` is what the transport adds (the control socket's request). */
export type MapHandlers<M extends CallMap, Ctx> = { [K in keyof M]: (input: z.output<M[K]['input']>, ctx: Ctx) => Promise<unknown> };

/** The adapter over one map: what every transport (IPC, the console's HTTP, the control socket) calls. */
export interface Adapter<Ctx> {
  /** True when `name` is a call of the map (own key: `__proto__`, `toString`… are not). */
  has(name: string): boolean;
  /** Validates `input`, calls the handler and wraps the outcome in the one envelope. Never throws. */
  call(name: string, input: unknown, ctx: Ctx): Promise<Result<unknown>>;
}

/** True when the schema accepts "no input" (a channel without parameters). */
function takesNothing(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}

/**
 * Parses a call's input with its schema. Calls without parameters also accept null and `{}` (what
 * an HTTP body or a control-socket line carries for "nothing").
 */
export function parseInput(schema: z.ZodType, input: unknown): ReturnType<z.ZodType['safeParse']> {
  const empty = input === null || (typeof input === 'object' && !Array.isArray(input) && Object.keys(input as object).length === 0);
  return schema.safeParse(empty && takesNothing(schema) ? undefined : input);
}

/** The one RPC adapter: own-key check, zod validation, the call, and the error envelope. */
export function createAdapter<M extends CallMap, Ctx = void>(map: M, handlers: MapHandlers<M, Ctx>): Adapter<Ctx> {
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(map, name);
  return {
    has,
    async call(name, input, ctx) {
      // Threat: a page or a client calling a name that does not exist (or an Object.prototype name).
      if (!has(name)) return { ok: false, error: { code: 'E_NOT_FOUND', message: `unknown API channel "${name}"` } };
      // Threat: a compromised page or client sending malformed input to the engine; the schema is the gate.
      const parsed = parseInput(map[name]!.input, input);
      if (!parsed.success) return { ok: false, error: toEnvelopeError(parsed.error) };
      try {
        const value = await (handlers[name] as (i: unknown, c: Ctx) => Promise<unknown>)(parsed.data, ctx);
        return { ok: true, value: value === undefined ? null : value };
      } catch (e) {
        return { ok: false, error: toEnvelopeError(e) };
      }
    },
  };
}
