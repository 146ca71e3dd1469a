/**
 * Attack class: other processes and the terminal. Host processes are invisible in /proc and cannot
 * be signalled; ptrace is refused; TIOCSTI cannot push keystrokes into the terminal; the host
 * environment does not leak (env, /proc/N/environ). Positive controls: the agent sees and signals
 * its own processes, its terminal is a real TTY, its own variables are present.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { runResuming, suite } from './helpers.js';

const s = suite('proc');
const SECRET = `leak-${process.pid}-${Date.now()}`;
afterAll(() => s.cleanup());

describe('processes, ptrace, signals, environment', () => {
  it('host pids are invisible and unkillable, ptrace is EPERM, the host environment is absent; own processes work', async () => {
    const victim = spawn('sleep', ['60'], { stdio: 'ignore' });
    const hp = victim.pid!;
    try {
      const { dataDir, file, name } = s.setup((a) => ({
        name: a,
        command: [
          'bash',
          '-c',
          [
            `test -e /proc/${hp} && echo HOST-PID-VISIBLE`,
            `kill -9 ${hp} 2>/dev/null && echo HOST-PID-KILLED`,
            'echo pids=$(ls /proc | grep -c "^[0-9]")',
            'strace -o /dev/null true 2>/dev/null && echo PTRACE-WORKED',
            `python3 -c 'import ctypes; l = ctypes.CDLL(None, use_errno=True); print("traceme", l.ptrace(0, 0, 0, 0), ctypes.get_errno())'`,
            'sleep 30 & own=$!; kill -0 $own && echo own-visible; kill $own && echo own-killed',
            `env | grep -q ${SECRET} && echo ENV-LEAK`,
            `cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -q ${SECRET} && echo PROC-ENVIRON-LEAK`,
            'echo agent=$PADDOCK_AGENT',
          ].join('\n'),
        ],
      }));
      const r = await runResuming(dataDir, file, name, { env: { ...process.env, PADDOCK_TEST_SECRET_ENV: SECRET } });
      expect(r.stdout).not.toMatch(/HOST-PID|PTRACE-WORKED|LEAK/);
      expect(r.stdout).toMatch(/^traceme -1 1$/m); // EPERM from seccomp
      expect(Number(/pids=(\d+)/.exec(r.stdout)?.[1])).toBeLessThan(15);
      expect(victim.exitCode).toBeNull(); // still alive
      expect(r.stdout).toContain('own-visible');
      expect(r.stdout).toContain('own-killed');
      expect(r.stdout).toContain(`agent=${name}`);
      expect(r.code).toBe(0);
    } finally {
      victim.kill('SIGKILL');
    }
  });

  it('TIOCSTI keystroke injection into the terminal fails (EPERM) while the terminal is a real TTY', () => {
    const { dataDir, file } = s.setup((a) => ({
      name: a,
      command: [
        'perl',
        '-e',
        'print -t STDIN ? "tty-yes\\n" : "tty-no\\n"; my $ws = "\\0" x 8; print ioctl(STDIN, 0x5413, $ws) ? "winsz-ok\\n" : "winsz-fail $!\\n"; my $c = "x"; print ioctl(STDIN, 0x5412, $c) ? "INJECTED\\n" : "tiocsti-refused $!\\n";',
      ],
    }));
    // `script` gives paddock (and so the agent) a real pseudo-terminal, as an interactive user has.
    const cmd = `'${process.execPath}' '${BIN}' --data-dir '${dataDir}' run '${file}'`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 30_000, input: '' });
    expect(r.stdout).toContain('tty-yes');
    expect(r.stdout).toContain('winsz-ok');
    expect(r.stdout).not.toContain('INJECTED');
    expect(r.stdout).toMatch(/tiocsti-refused Operation not permitted/);
  });
});
