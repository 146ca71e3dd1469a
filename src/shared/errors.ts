/** Error codes users can meet. Every error carries one of these and a sentence saying what to do. */
export const ERROR_CODES = [
  'E_USAGE',
  'E_PROFILE_INVALID',
  'E_RULE_INVALID',
  'E_NOT_FOUND',
  'E_EXISTS',
  'E_ALREADY_RUNNING',
  'E_NO_HOST',
  'E_LOCKED',
  'E_SANDBOX_UNAVAILABLE',
  'E_PLATFORM_UNSUPPORTED',
  'E_FOLDER',
  'E_VAULT_LOCKED',
  'E_VAULT',
  'E_SECRET_MISSING',
  'E_STORE',
  'E_PROTOCOL',
  'E_INVALID_INPUT',
  'E_FORBIDDEN',
  'E_INTERNAL',
  'E_KILLED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A structured error: a code, a user-facing sentence and, for file input, a position. */
export class PaddockError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly Diagnostic[],
  ) {
    super(message);
    this.name = 'PaddockError';
  }
}

/** A problem found in a file, reported as `FILE:LINE:COL: message`. Lines and columns start at 1. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}

/** The envelope every API call returns (IPC, console, control socket). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };
