// The control socket's framing and the host's messages: no schema library here, so a client
// (`paddock ps`, a guest `paddock run`) loads only this. The host validates with src/shared/control.ts.

import { MAX_LINE } from '../../shared/control-limits.js';

export { MAX_LINE };

/** Host → client. Errors carry the one envelope's error (see core/api's toEnvelopeError). */
export type HostMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; message: string } }
  | { id: number; stream: 'stdout' | 'stderr'; data: string }
  | { id: number; exit: { code: number | null; signal: string | null; exitCode: number } }
  | { id: number; notice: string }
  /** A line for the guest's terminal (stderr): the agent was paused or resumed (e.g. by a tripwire). */
  | { id: number; alert: string };

/**
 * Splits a byte stream into JSON lines; calls `onLine` for each, `onError` once for an over-long line.
 * Returns the function to feed chunks to.
 */
export function lineReader(onLine: (line: string) => void, onError: (message: string) => void): (chunk: Buffer) => void {
  let buf = '';
  let failed = false;
  return (chunk) => {
    if (failed) return;
    buf += chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
    if (buf.length > MAX_LINE) {
      failed = true;
      onError(`message longer than ${MAX_LINE} bytes`);
    }
  };
}
