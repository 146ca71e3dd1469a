import { fstatSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { Readable, Writable } from 'node:stream';

/**
 * Whether the agent may get this process's own stdio fds, or must get pipes that we pump.
 *
 * Threat: an fd handed into the sandbox can be reopened through `/proc/self/fd/N`, and that
 * reopening is checked against the file's permissions, not the fd's mode: a stdin file
 * (`< task.md`) could be rewritten and an append-only log (`>> run.log`) read back and
 * overwritten. Reopening a terminal, a pipe/FIFO, a socket or /dev/null grants nothing the fd did
 * not already give (TIOCSTI on the terminal is blocked by seccomp), so only those pass through.
 */
export function stdioMode(fds: readonly number[] = [0, 1, 2]): 'inherit' | 'pipe' {
  return fds.every(safeToInherit) ? 'inherit' : 'pipe';
}

function safeToInherit(fd: number): boolean {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return true; // a closed fd: the sandbox gets nothing to reopen
  }
  if (st.isFIFO() || st.isSocket()) return true;
  if (st.isCharacterDevice()) return isatty(fd) || isDevNull(st.rdev);
  return false; // a regular file, a directory, a block device or another character device
}

function isDevNull(rdev: number): boolean {
  try {
    return statSync('/dev/null').rdev === rdev;
  } catch {
    return false;
  }
}

/** Copies `from` to `to` with backpressure, never ending `to` (our own stdout/stderr); resolves once `from` ended and `to` flushed. */
function pump(from: Readable, to: Writable): Promise<void> {
  return new Promise((done) => {
    from.pipe(to, { end: false });
    const finish = (): void => {
      from.unpipe(to);
      if (to.writableEnded || to.destroyed) done();
      else to.write('', () => done());
    };
    from.once('end', finish);
    from.once('error', finish);
    to.on('error', () => from.unpipe(to)); // the reader went away: the agent's further output is dropped
  });
}

/** Pumps this process's stdin to a piped run and its output to our stdout/stderr. */
export function pumpStdio(run: { stdin: Writable | null; stdout: Readable | null; stderr: Readable | null }): { drained(): Promise<void> } {
  const stdin = process.stdin;
  if (run.stdin) {
    const dest = run.stdin;
    dest.on('error', () => undefined); // the agent may exit without reading its input
    stdin.pipe(dest); // ends the agent's stdin at our EOF
    stdin.on('error', () => dest.end());
  }
  const outputs = [run.stdout ? pump(run.stdout, process.stdout) : null, run.stderr ? pump(run.stderr, process.stderr) : null];
  return {
    async drained() {
      await Promise.all(outputs);
      stdin.unpipe();
      stdin.pause();
      stdin.unref?.(); // an interactive stdin must not keep this process alive once the agent ended
    },
  };
}
