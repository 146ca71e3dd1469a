import { existsSync } from 'node:fs';
import { basename } from 'node:path';

/** Where a shell must be found to count as "available inside" (the sandbox mounts the host's /usr and /bin read-only). */
const SHELL_DIRS = ['/usr/bin', '/bin'];
/** A shell name we are willing to run (threat: a crafted $SHELL smuggling words into the command line). */
const SHELL_NAME_RE = /^[a-z][a-z0-9._+-]{0,31}$/;

/**
 * The default command of `paddock shell`: the user's `$SHELL` (by basename) if present inside the
 * sandbox, else bash, else sh — as a login shell (`-l`).
 */
export function defaultShellCommand(userShell: string | undefined, exists: (p: string) => boolean = existsSync): string[] {
  const wanted = userShell ? basename(userShell) : '';
  const names = [...(SHELL_NAME_RE.test(wanted) ? [wanted] : []), 'bash', 'sh'];
  for (const name of names) {
    for (const dir of SHELL_DIRS) {
      const path = `${dir}/${name}`;
      if (exists(path)) return [path, '-l'];
    }
  }
  return ['/bin/sh', '-l'];
}

/** Quotes one word for a POSIX shell. */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A terminal's size in character cells. */
export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Clamps a size to what a terminal can really have (threat: absurd values from a client). */
export function clampSize(s: TerminalSize): TerminalSize {
  const clamp = (n: number, max: number): number => (Number.isFinite(n) ? Math.min(max, Math.max(1, Math.floor(n))) : 24);
  return { cols: clamp(s.cols, 1000), rows: clamp(s.rows, 500) };
}

/**
 * Wraps CMD so that it runs on a pseudo-terminal created **inside** the sandbox by util-linux
 * `script` (Node has no PTY of its own): `script -qfec "stty cols C rows R; exec CMD" /dev/null`.
 * The host then talks to `script` over plain pipes; `-e` passes the command's exit code through.
 */
export function ptyWrap(command: string[], size: TerminalSize): string[] {
  const { cols, rows } = clampSize(size);
  const inner = `stty cols ${cols} rows ${rows} 2>/dev/null; exec ${command.map(shQuote).join(' ')}`;
  return ['script', '-qfec', inner, '/dev/null'];
}

/**
 * The exact argv of the processes the pty wrapper itself starts for this command and size: `script`,
 * the `sh -c` it runs (the sandbox sets no $SHELL, so `script` runs /bin/sh with argv[0] `sh`), and
 * `stty`. Marked as Paddock's helpers in the run's events (runs/wrapper-helpers.ts says when).
 */
export function ptyWrapHelpers(command: string[], size: TerminalSize): string[][] {
  const argv = ptyWrap(command, size);
  const { cols, rows } = clampSize(size);
  return [argv, ['sh', '-c', argv[2]!], ['stty', 'cols', String(cols), 'rows', String(rows)]];
}
