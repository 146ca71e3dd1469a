/**
 * Masks the values of the secrets a run was given in its recorded output. Works on bytes (as latin1
 * strings, one char per byte), so binary `file` secrets and values split across chunks are caught.
 */

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
          if (s.startsWith(n.needle, i)) {
            out += s.slice(from, i) + n.label;
            i += n.needle.length;
            from = i;
            continue scan;
          }
          // The rest of the chunk could be the start of this secret: hold it back.
          if (!final && s.length - i < n.needle.length && n.needle.startsWith(s.slice(i))) {
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
