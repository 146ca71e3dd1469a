/**
 * Run recordings in the asciicast v2 format (asciinema): one JSON header line, then one
 * `[seconds, code, data]` line per event. Paddock writes `"o"` (output, stdout and stderr alike)
 * and `"m"` (markers: the run's exit). Paddock's own facts go in the header under `paddock`.
 */

/** Paddock's part of a recording's header. */
export interface CastMeta {
  agent: string;
  run: string;
  /** 'pipe': the output was recorded; 'terminal': it went to the terminal of `paddock run`, unrecorded. */
  stdio: 'pipe' | 'terminal';
  /** Bytes of older events dropped to keep the file within its bound. */
  dropped: number;
  /**
   * Time 0 of the event times, in ms since the epoch (the header's `timestamp` is whole seconds):
   * lets a replay place the run's logged events on the recording's timeline. Absent in older files.
   */
  startMs?: number;
}

export interface CastHeader {
  version: 2;
  width: number;
  height: number;
  /** Start of the run, in Unix seconds. */
  timestamp: number;
  title?: string;
  paddock: CastMeta;
}

export type CastEvent = [number, string, string];

export function headerLine(h: CastHeader): string {
  return `${JSON.stringify(h)}\n`;
}

export function eventLine(t: number, code: 'o' | 'm', data: string): string {
  return `${JSON.stringify([Math.round(t * 1e6) / 1e6, code, data])}\n`;
}

export function parseHeader(line: string): CastHeader | null {
  try {
    const h = JSON.parse(line) as CastHeader;
    if (h && h.version === 2 && typeof h.paddock === 'object' && h.paddock) return h;
  } catch {
    // not a recording of ours
  }
  return null;
}

/** Parses event lines; a line still being written (no newline yet, or cut) is left out. */
export function parseEvents(text: string): CastEvent[] {
  const out: CastEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as unknown;
      if (Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'string' && typeof e[2] === 'string') out.push(e as CastEvent);
    } catch {
      // a partial last line
    }
  }
  return out;
}

/** The marker written when a run ends: `exit CODE`. */
export const EXIT_MARK = /^exit (-?\d+)$/;
