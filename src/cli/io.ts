import { formatDiagnostic, PaddockError } from '../shared/errors.js';
import { UsageError } from './args.js';

/** Where a command writes. The real process streams in production; tests spawn the real binary. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

/** Exit codes of PRODUCT.md: 2 for usage errors and invalid profiles, 125 for Paddock's own failures. */
export const EXIT_USAGE = 2;
export const EXIT_PADDOCK = 125;

/** Prints an error the way users expect: one `paddock: …` line (plus positions), never a stack trace. */
export function reportError(e: unknown, io: Io, usage?: (command?: string) => string): number {
  if (e instanceof UsageError) {
    io.err(`paddock: ${e.message}\n${usage ? usage(e.command) : ''}`);
    return EXIT_USAGE;
  }
  if (e instanceof PaddockError) {
    for (const d of e.details ?? []) io.err(`${formatDiagnostic(d)}\n`);
    io.err(`paddock: ${e.message}\n`);
    return EXIT_PADDOCK;
  }
  const msg = e instanceof Error ? e.message : String(e);
  io.err(`paddock: internal error: ${msg} (run with PADDOCK_DEBUG=1 for details, and please report it)\n`);
  if (process.env.PADDOCK_DEBUG && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
  return EXIT_PADDOCK;
}
