import { printable } from '../shared/printable.js';

export { jsonLine, printable, quoted } from '../shared/printable.js';

/** Human formats for listings. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)}${units[i]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** Left-aligned columns, agent-chosen text made printable. */
export function table(rows: string[][]): string {
  rows = rows.map((r) => r.map(printable));
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n') + '\n';
}

/**
 * A listing for people: the header row first (pipes read by eye need it too), unless the caller
 * passed `--no-header`; nothing at all when there are no rows.
 */
export function listing(header: string[], rows: string[][], noHeader: boolean): string {
  if (rows.length === 0) return '';
  return table(noHeader ? rows : [header, ...rows]);
}

/** The `--no-header` option shared by the listing commands. */
export const NO_HEADER = { 'no-header': { type: 'boolean', description: 'leave out the header row' } } as const;
