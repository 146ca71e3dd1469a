import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * A real pseudo-terminal for CLI tests, made by python3's `pty` module (Node has none): runs ARGV
 * on the pty's slave side, relays its output to stdout, and takes JSON lines on stdin:
 * `{"write": "text"}` types into the terminal, `{"resize": [rows, cols]}` resizes it (TIOCSWINSZ on
 * the master: the kernel sends SIGWINCH to the terminal's foreground process group).
 */
const DRIVER = String.raw`
import json, os, pty, select, struct, sys, fcntl, termios
rows, cols = int(sys.argv[1]), int(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[3], sys.argv[3:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
buf = b''
inputs = [fd, 0]
while True:
    r, _, _ = select.select(inputs, [], [])
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            break
        os.write(1, data)
    if 0 in r:
        chunk = os.read(0, 65536)
        if not chunk:
            # End of the driver's stdin: stop watching it (select would report it readable forever: a busy loop).
            inputs = [fd]
            continue
        buf += chunk
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            msg = json.loads(line)
            if 'write' in msg:
                os.write(fd, msg['write'].encode())
            if 'resize' in msg:
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', msg['resize'][0], msg['resize'][1], 0, 0))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') else status >> 8)
`;

/** A program running on a real pty. */
export interface PtyProcess {
  child: ChildProcess;
  /** Everything the terminal showed so far. */
  out(): string;
  type(text: string): void;
  resize(rows: number, cols: number): void;
  exit: Promise<number | null>;
}

export const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p)) ?? 'python3';

/** Runs argv on a fresh pty of size rows×cols. */
export function onPty(argv: string[], o: { rows: number; cols: number; env: NodeJS.ProcessEnv; cwd?: string }): PtyProcess {
  const child = spawn(PYTHON, ['-c', DRIVER, String(o.rows), String(o.cols), ...argv], { env: o.env, cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const send = (m: object): void => void child.stdin!.write(`${JSON.stringify(m)}\n`);
  return { child, out: () => out, type: (text) => send({ write: text }), resize: (rows, cols) => send({ resize: [rows, cols] }), exit };
}
