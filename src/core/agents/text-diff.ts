/** A small unified line diff (LCS) for reviewing an agent's edits to a copied folder before export. */

/** Most cells (lines × lines) the LCS table may have; bigger diffs are not shown. */
const MAX_CELLS = 4_000_000;

type Op = { t: ' ' | '-' | '+'; line: string; a: number; b: number };

function lcsOps(a: string[], b: string[]): Op[] | null {
  // Trim the common head and tail: most edits touch a few lines.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  if ((n + 1) * (m + 1) > MAX_CELLS) return null;
  const w = m + 1;
  const t = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      t[i * w + j] = a[head + i] === b[head + j] ? t[(i + 1) * w + j + 1]! + 1 : Math.max(t[(i + 1) * w + j]!, t[i * w + j + 1]!);
  const ops: Op[] = [];
  for (let k = 0; k < head; k++) ops.push({ t: ' ', line: a[k]!, a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[head + i] === b[head + j]) {
      ops.push({ t: ' ', line: a[head + i]!, a: head + i, b: head + j });
      i++;
      j++;
    } else if (i < n && (j === m || t[(i + 1) * w + j]! >= t[i * w + j + 1]!)) {
      // Deletions before insertions, as diff(1) prints them.
      ops.push({ t: '-', line: a[head + i]!, a: head + i, b: head + j });
      i++;
    } else {
      ops.push({ t: '+', line: b[head + j]!, a: head + i, b: head + j });
      j++;
    }
  }
  for (let k = 0; k < tail; k++) ops.push({ t: ' ', line: a[a.length - tail + k]!, a: a.length - tail + k, b: b.length - tail + k });
  return ops;
}

function splitLines(s: string): string[] {
  if (s === '') return [];
  const l = s.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

/**
 * The unified diff (3 lines of context) from `before` to `after`, labelled `a/NAME` and `b/NAME`;
 * '' when equal, null when the files are too large to diff.
 */
export function unifiedDiff(name: string, before: string, after: string, context = 3): string | null {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = lcsOps(a, b);
  if (!ops) return null;
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]!.t === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while the next change is within 2 × context lines.
    for (let z = k; z < ops.length; z++) {
      if (ops[z]!.t !== ' ') end = z;
      else if (z - end > 2 * context) break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    const aStart = aLen ? hunk.find((o) => o.t !== '+')!.a + 1 : hunk[0]!.a;
    const bStart = bLen ? hunk.find((o) => o.t !== '-')!.b + 1 : hunk[0]!.b;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const o of hunk) out.push(`${o.t}${o.line}`);
    k = stop;
  }
  return out.join('\n') + '\n';
}
