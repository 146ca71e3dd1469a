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

/**
 * `canonicalJson` of `obj` without the keys in `skip`, without building the reduced object: the
 * hot path of event appends (strings and numbers skip the general walk). With `into`, each member
 * is also set there as the text gives it back (what JSON.parse of the result would hold), parsing
 * only members that are not plain strings, finite numbers, booleans or null.
 */
export function canonicalJsonWithout(obj: Record<string, unknown>, skip: ReadonlySet<string>, into?: Record<string, unknown>): string {
  let out = '{';
  for (const key of sortedKeys(obj)) {
    if (skip.has(key)) continue;
    const v = obj[key];
    let text: string | undefined;
    let back: unknown = v;
    if (typeof v === 'string') text = JSON.stringify(v);
    else if (typeof v === 'number') {
      text = Number.isFinite(v) ? JSON.stringify(v) : 'null';
      back = Number.isFinite(v) ? v + 0 : null; // -0 is stored as 0
    } else if (typeof v === 'boolean' || v === null) text = String(v);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
      text = JSON.stringify(v);
      back = v.slice();
    } else {
      text = write(v, new Set([obj]));
      if (text !== undefined && into) back = JSON.parse(text);
    }
    if (text === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${quotedKey(key)}:${text}`;
    if (into === undefined) continue;
    // Threat: a member named __proto__ swapping the object's prototype: always an own property.
    if (key === '__proto__') Object.defineProperty(into, key, { value: back, enumerable: true, writable: true, configurable: true });
    else into[key] = back;
  }
  return `${out}}`;
}

/** Events of one kind share their keys: their sorted order and quoted texts are kept (bounded caches). */
const SORTED = new Map<string, string[]>();
const QUOTED = new Map<string, string>();
const CACHE_MAX = 4096;

function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  const shape = keys.join('\u0000');
  let sorted = SORTED.get(shape);
  // A key holding NUL could give two key lists one shape: the cached list must be exactly these keys.
  if (sorted !== undefined && (sorted.length !== keys.length || !sorted.every((k) => Object.hasOwn(obj, k)))) sorted = undefined;
  if (sorted === undefined) {
    sorted = keys.sort();
    if (SORTED.size < CACHE_MAX && !SORTED.has(shape)) SORTED.set(shape, sorted);
  }
  return sorted;
}

function quotedKey(key: string): string {
  let q = QUOTED.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (QUOTED.size < CACHE_MAX) QUOTED.set(key, q);
  }
  return q;
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
