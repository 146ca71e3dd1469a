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
  const shape = shapeOf(obj, skip);
  const { sorted, quoted } = shape;
  let out = '{';
  for (let i = 0; i < sorted.length; i++) {
    const key = sorted[i]!;
    const v = obj[key];
    let text: string | undefined;
    let back: unknown = v;
    if (typeof v === 'string') text = JSON.stringify(v);
    else if (typeof v === 'number') {
      // JSON writes a finite number as ToString(number) (so -0 as 0); non-finite ones as null.
      text = Number.isFinite(v) ? `${v}` : 'null';
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
    out += out.length === 1 ? quoted[i]! + text : `,${quoted[i]!}${text}`;
    if (into === undefined) continue;
    // Threat: a member named __proto__ swapping the object's prototype: always an own property.
    if (key === '__proto__') Object.defineProperty(into, key, { value: back, enumerable: true, writable: true, configurable: true });
    else into[key] = back;
  }
  return `${out}}`;
}

/**
 * The members of one key list: sorted, without the skipped keys, each with its quoted text and
 * colon. Events of one kind share their keys, so shapes are cached (bounded), found by comparing
 * the key list itself (never a text made from it, which two different lists could share).
 */
interface Shape {
  keys: readonly string[];
  sorted: readonly string[];
  quoted: readonly string[];
}
const SHAPES = new WeakMap<ReadonlySet<string>, Map<number, Shape[]>>();
const SHAPES_PER_COUNT = 16;
const SHAPES_MAX = 4096;
let shapeCount = 0;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shapeOf(obj: object, skip: ReadonlySet<string>): Shape {
  const keys = Object.keys(obj);
  let byCount = SHAPES.get(skip);
  if (byCount === undefined) SHAPES.set(skip, (byCount = new Map()));
  const bucket = byCount.get(keys.length);
  if (bucket !== undefined) for (const s of bucket) if (sameKeys(s.keys, keys)) return s;
  const sorted = keys.filter((k) => !skip.has(k)).sort();
  const shape: Shape = { keys, sorted, quoted: sorted.map((k) => `${JSON.stringify(k)}:`) };
  if (shapeCount < SHAPES_MAX && (bucket?.length ?? 0) < SHAPES_PER_COUNT) {
    if (bucket === undefined) byCount.set(keys.length, [shape]);
    else bucket.push(shape);
    shapeCount++;
  }
  return shape;
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
