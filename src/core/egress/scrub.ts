/**
 * Finds header-secret values in what comes back from upstream and replaces them with their
 * placeholders. Threat: a bound host reflecting the request (TRACE, a debug endpoint, an error
 * page quoting headers, a log viewer) hands the real value to the agent that only holds the
 * placeholder. Pure: byte needles and a streaming scrubber that holds back only a tail that could
 * be the start of a value (so a stream such as server-sent events is never delayed otherwise).
 */
import type { HeaderBinding } from '../vault/index.js';

/** One byte pattern to replace: the value itself or one of its cheap encodings. */
export interface Needle {
  name: string;
  bytes: Buffer;
  replacement: Buffer;
}

/** Values shorter than this are not scrubbed (too short to be a credential; they would mangle every response). */
export const MIN_VALUE_BYTES = 6;
/** Base64 cores shorter than this many input bytes are skipped (false positives on short runs). */
const MIN_B64_BYTES = 9;

const cache = new WeakMap<readonly HeaderBinding[], Needle[]>();

/** `n` bytes of `filler` repeated (a same-length stand-in inside an encoding). */
function repeatTo(filler: Buffer, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = filler[i % filler.length]!;
  return out;
}

/**
 * The needles of every binding: the value (→ placeholder), its percent-encodings and JSON
 * escapes (→ placeholder), and, for each of the three byte alignments, the base64 and base64url
 * of the value's whole 3-byte groups (→ the same length of placeholder bytes, encoded), which
 * catches the value inside a reflected `Basic` header or any base64 blob. Cached per list.
 */
export function needlesFor(bindings: readonly HeaderBinding[]): Needle[] {
  const hit = cache.get(bindings);
  if (hit) return hit;
  const out: Needle[] = [];
  const seen = new Set<string>();
  const add = (name: string, text: Buffer, replacement: Buffer): void => {
    const key = text.toString('latin1');
    if (text.length === 0 || seen.has(key)) return;
    seen.add(key);
    out.push({ name, bytes: text, replacement });
  };
  for (const b of bindings) {
    const value = Buffer.from(b.value, 'utf8');
    if (value.length < MIN_VALUE_BYTES) continue;
    const ph = Buffer.from(b.placeholder, 'utf8');
    add(b.name, value, ph);
    const pct = encodeURIComponent(b.value);
    add(b.name, Buffer.from(pct), ph);
    add(b.name, Buffer.from(pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())), ph);
    add(b.name, Buffer.from(pct.replace(/%20/g, '+')), ph);
    const json = JSON.stringify(b.value).slice(1, -1);
    add(b.name, Buffer.from(json), ph);
    add(b.name, Buffer.from(json.replace(/\//g, '\\/')), ph);
    for (let k = 0; k < 3; k++) {
      const rest = value.subarray(k);
      const n = rest.length - (rest.length % 3);
      if (n < MIN_B64_BYTES) continue;
      const core = rest.subarray(0, n);
      const stand = repeatTo(ph, n);
      add(b.name, Buffer.from(core.toString('base64')), Buffer.from(stand.toString('base64')));
      add(b.name, Buffer.from(core.toString('base64url')), Buffer.from(stand.toString('base64url')));
    }
  }
  cache.set(bindings, out);
  return out;
}

/** Replaces every needle in `buf`; adds the names found to `found`. Returns `buf` itself when nothing matched. */
function replaceAll(buf: Buffer, needles: readonly Needle[], found: Set<string>): Buffer {
  let cur = buf;
  for (const n of needles) {
    let i = cur.indexOf(n.bytes);
    if (i < 0) continue;
    found.add(n.name);
    const parts: Buffer[] = [];
    let from = 0;
    while (i >= 0) {
      parts.push(cur.subarray(from, i), n.replacement);
      from = i + n.bytes.length;
      i = cur.indexOf(n.bytes, from);
    }
    parts.push(cur.subarray(from));
    cur = Buffer.concat(parts);
  }
  return cur;
}

/** Length of the longest tail of `buf` that is a proper prefix of some needle (to hold back). */
function partialTail(buf: Buffer, needles: readonly Needle[]): number {
  let hold = 0;
  for (const n of needles) {
    const first = n.bytes[0]!;
    let i = Math.max(0, buf.length - n.bytes.length + 1);
    // The earliest start wins: the longest possible partial match of this needle.
    while (i < buf.length - hold) {
      i = buf.indexOf(first, i);
      if (i < 0 || i >= buf.length - hold) break;
      if (buf.subarray(i).equals(n.bytes.subarray(0, buf.length - i))) {
        hold = buf.length - i;
        break;
      }
      i++;
    }
  }
  return hold;
}

/**
 * A streaming scrubber: `push` returns the bytes safe to pass on now, `end` the rest. A value
 * split across chunks is still found: a tail that could be its start is held until the next
 * chunk (or the end) shows whether it is.
 */
export class Scrubber {
  private held: Buffer = Buffer.alloc(0);

  /** `found` collects the names of the secrets whose value (or an encoding of it) was seen. */
  constructor(
    private readonly needles: readonly Needle[],
    readonly found = new Set<string>(),
  ) {}

  push(chunk: Buffer): Buffer {
    const buf = replaceAll(this.held.length ? Buffer.concat([this.held, chunk]) : chunk, this.needles, this.found);
    const hold = partialTail(buf, this.needles);
    this.held = hold ? Buffer.from(buf.subarray(buf.length - hold)) : Buffer.alloc(0);
    return hold ? buf.subarray(0, buf.length - hold) : buf;
  }

  end(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest;
  }
}

/** Scrubs a whole buffer at once. */
export function scrubAll(buf: Buffer, needles: readonly Needle[], found: Set<string>): Buffer {
  return replaceAll(buf, needles, found);
}

/** Scrubs a header name, value or reason phrase (Node gives them as latin1 strings of the raw bytes). */
export function scrubText(s: string, needles: readonly Needle[], found: Set<string>): string {
  const buf = Buffer.from(s, 'latin1');
  const out = replaceAll(buf, needles, found);
  return out === buf ? s : out.toString('latin1');
}
