/**
 * Masks the values of the secrets a run was given in its recorded output. Works on bytes (as latin1
 * strings, one char per byte), so binary `file` secrets and values split across chunks are caught.
 */
import { ESC_SEQUENCES } from '../../../shared/terminal-text.js';

/** A secret value to mask and the name shown in its place (`[secret NAME]`). */
export interface SecretMask {
  name: string;
  value: Buffer | string;
}

/** Shortest line of a multi-line secret masked on its own (shorter lines are too common to hide). */
const MIN_LINE = 8;

/** The byte strings to look for: each value, its trimmed form, and each long line of a multi-line value. */
function needles(masks: readonly SecretMask[]): { needle: string; label: string }[] {
  const out = new Map<string, string>();
  for (const m of masks) {
    const v = (typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value).toString('latin1');
    const label = `[secret ${m.name}]`;
    const add = (n: string): void => {
      if (n.length > 0 && !out.has(n)) out.set(n, label);
    };
    add(v);
    add(v.trim());
    for (const line of v.split(/\r?\n/)) if (line.trim().length >= MIN_LINE) add(line.trim());
  }
  // Longest first: a value that contains another secret is masked as itself.
  return [...out].map(([needle, label]) => ({ needle, label })).sort((a, b) => b.needle.length - a.needle.length);
}

/**
 * Most bytes skipped inside one value (escape sequences and controls between its characters). Bounds
 * what a partial match may hold back; more than this between two characters is not recognised.
 */
const MAX_SKIP = 4096;

// The sequences the viewers remove (`plainText`, src/shared/terminal-text.ts) and a terminal does
// not print, here on latin1 bytes: the same escape sequences, the UTF-8 encoded C1 controls (CSI
// with its parameters), and a byte the terminal steps back over.
const INVISIBLE = new RegExp(`${ESC_SEQUENCES}|\\xc2\\x9b[0-?]*[ -/]*[@-~]|\\xc2[\\x80-\\x9f]|[^\\x08]\\x08`, 'y');
// C0 controls the viewers drop (not tab, line feed, carriage return or ESC, handled above) and DEL.
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/;

/** Length of the invisible run at `k` (0: a visible byte). */
function invisibleAt(s: string, k: number): number {
  INVISIBLE.lastIndex = k;
  const m = INVISIBLE.exec(s);
  if (m) return m[0].length;
  return CONTROL.test(s[k]!) ? 1 : 0;
}

/**
 * Matches `needle` at `i`, stepping over invisible runs between its characters. Threat: a value
 * printed with escape sequences or NULs between its characters (a colour change mid-token, UTF-16
 * output, `\0` padding) is missed by a byte-for-byte match, yet `paddock logs` (which removes them)
 * and the replay show it whole. Returns the end of the match, 'partial' when `s` ends first, or -1.
 */
function matchAt(s: string, i: number, needle: string): number | 'partial' {
  let k = i;
  let skipped = 0;
  for (let j = 0; j < needle.length; ) {
    if (k >= s.length) return 'partial';
    if (s[k] === needle[j]) {
      j++;
      k++;
      continue;
    }
    if (j === 0) return -1;
    const n = invisibleAt(s, k);
    if (n === 0 || (skipped += n) > MAX_SKIP) return -1;
    k += n;
  }
  return k;
}

/**
 * One output stream's masker. `push` returns what can be written now; the tail that might be the
 * start of a secret is held until the next chunk (or `flush`), so a value split across chunks is
 * still masked.
 */
export class OutputMasker {
  private readonly list: { needle: string; label: string }[];
  private readonly first: Set<string>;
  private carry = '';

  constructor(masks: readonly SecretMask[]) {
    this.list = needles(masks);
    this.first = new Set(this.list.map((n) => n.needle[0]!));
  }

  push(chunk: Buffer): Buffer {
    if (this.list.length === 0) return chunk;
    return this.scan(this.carry + chunk.toString('latin1'), false);
  }

  /**
   * Masks one whole text at once (an event's field, an ask's detail), with the same matching as
   * the output; nothing is held back. Use an instance of its own (a stream's held tail is dropped).
   */
  maskText(text: string): string {
    if (this.list.length === 0 || text.length === 0) return text;
    const raw = Buffer.from(text, 'utf8');
    const out = this.scan(raw.toString('latin1'), true);
    return out.equals(raw) ? text : out.toString('utf8');
  }

  /** What was held back, masked (the stream ended: a partial value is no value). */
  flush(): Buffer {
    return this.scan(this.carry, true);
  }

  private scan(s: string, final: boolean): Buffer {
    this.carry = '';
    let out = '';
    let from = 0;
    let i = 0;
    scan: while (i < s.length) {
      if (this.first.has(s[i]!)) {
        for (const n of this.list) {
          const end = matchAt(s, i, n.needle);
          if (typeof end === 'number' && end > 0) {
            out += s.slice(from, i) + n.label;
            i = end;
            from = i;
            continue scan;
          }
          // The rest of the chunk could be the start of this secret: hold it back.
          if (!final && end === 'partial') {
            this.carry = s.slice(i);
            out += s.slice(from, i);
            from = s.length;
            break scan;
          }
        }
      }
      i++;
    }
    out += s.slice(from);
    return Buffer.from(out, 'latin1');
  }
}
