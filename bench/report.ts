import { cpus, totalmem, release } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where benchmark results are written: one marked section per benchmark. */
export const PERFORMANCE_MD = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'docs', 'PERFORMANCE.md');

export function machineInfo(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
}

/**
 * Replaces (or appends) the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`
 * in docs/PERFORMANCE.md, so each benchmark owns its section and reruns stay idempotent.
 */
export function writeSection(name: string, markdown: string, file = PERFORMANCE_MD): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n\n_Measured ${new Date().toISOString()} on ${machineInfo()}._\n${end}`;
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n\nEvery figure sits beside its baseline, measured in the same run.\n';
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) doc = doc.slice(0, i) + block + doc.slice(j + end.length);
  else doc = `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, doc);
}

/** Percentile of a sorted-or-not numeric sample (nearest-rank). */
export function percentile(sample: number[], p: number): number {
  const s = [...sample].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const k = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[k]!;
}
