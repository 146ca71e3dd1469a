import { spawn } from 'node:child_process';
import { closeSync, constants, existsSync, fstatSync, openSync, readlinkSync } from 'node:fs';
import { clampSize, type TerminalSize } from './shell-command.js';

/** Unix98 pty slaves have majors 136–143 (Linux devices.txt). */
function isPtySlave(rdev: number): boolean {
  const major = Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
  return major >= 136 && major <= 143;
}

/** Host `stty` (absolute path: never one found through an agent-writable PATH). */
const STTY = ['/usr/bin/stty', '/bin/stty'];

/**
 * Sets the window size of the pseudo-terminal a sandboxed session runs on, from the host: finds the
 * lowest pid of the run whose stdin is a pty slave (the program `script` started), re-opens that
 * pty through `/proc/PID/fd/0` and runs the host's `stty cols C rows R` on it. The kernel then
 * sends SIGWINCH to the terminal's foreground process group inside the sandbox.
 * Returns false when no pty was found (the session has not started yet, or has ended).
 */
export async function resizeSessionPty(pids: readonly number[], size: TerminalSize): Promise<boolean> {
  const { cols, rows } = clampSize(size);
  for (const pid of [...pids].sort((a, b) => a - b)) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/0`);
    } catch {
      continue;
    }
    if (!link.startsWith('/dev/pts/')) continue;
    let fd: number;
    try {
      // Threat: the agent controls what its fd 0 points at. Open without blocking (FIFOs) and without
      // acquiring a controlling terminal, then accept only a pty slave; stty only sets its size.
      fd = openSync(`/proc/${pid}/fd/0`, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    } catch {
      continue;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isCharacterDevice() || !isPtySlave(st.rdev)) continue;
      const stty = STTY.find((p) => existsSync(p));
      if (!stty) return false;
      const ok = await new Promise<boolean>((resolve) => {
        const child = spawn(stty, ['cols', String(cols), 'rows', String(rows)], { stdio: [fd, 'ignore', 'ignore'], env: { PATH: '/usr/bin:/bin' } });
        child.once('error', () => resolve(false));
        child.once('exit', (code) => resolve(code === 0));
      });
      if (ok) return true;
    } finally {
      closeSync(fd);
    }
  }
  return false;
}
