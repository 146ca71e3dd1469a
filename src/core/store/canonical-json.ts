import { PaddockError } from '../../shared/errors.js';

/**
 * Deterministic JSON: object keys sorted (by UTF-16 code units, recursively), no whitespace,
 * otherwise the rules of JSON.stringify (toJSON honoured, undefined/function members dropped,
 * non-finite numbers become null). The same value always gives the same text, which the event
 * hash chain relies on. BigInt and cycles are refused.
 */
export function canonicalJson(value: unknown): string {
  const out = write(value, new Set());
  return out ?? 'null';
}

function write(value: unknown, seen: Set<object>): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new PaddockError('E_INVALID_INPUT', 'An event field is a BigInt, which JSON cannot hold: convert it to a number or a string.');
    default:
      break;
  }
  const obj = value as { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return write(obj.toJSON(), seen);
  if (seen.has(obj)) throw new PaddockError('E_INVALID_INPUT', 'An event contains a circular reference: log plain data only.');
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return `[${obj.map((v: unknown) => write(v, seen) ?? 'null').join(',')}]`;
    const rec = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(rec).sort()) {
      const v = write(rec[key], seen);
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}
