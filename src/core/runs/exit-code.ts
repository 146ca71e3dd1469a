import { constants } from 'node:os';

/** The `paddock run` exit code of PRODUCT.md: the agent's code, or 128+N for signal N. */
export function exitCodeOf(code: number | null, signal: string | null): number {
  if (code !== null) return code;
  if (signal) {
    const n = (constants.signals as Record<string, number>)[signal];
    if (n) return 128 + n;
  }
  return 125;
}
