/**
 * Attack class (black-box pass A): the stdio fds a foreground `paddock run` (no host running) hands
 * to its agent. When the user redirects them to files (`paddock run a.yaml < task.md >> run.log`),
 * reopening `/proc/self/fd/0|1` inside the sandbox goes through the magic link to the host file
 * itself, with the permissions of the file rather than of the fd: the agent can write the file it
 * was only given to read, and read back or rewrite the log it was only given to append to.
 * Positive control: the agent reads its stdin and its output is appended to the log.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('astd');
afterAll(() => s.cleanup());

/** Runs `paddock run FILE` with stdin from `input` and stdout appended to `log` (files on the host). */
function runWithFiles(dataDir: string, file: string, input: string, log: string): number | null {
  const inFd = openSync(input, 'r');
  const outFd = openSync(log, 'a');
  try {
    return spawnSync(process.execPath, [BIN, '--data-dir', dataDir, 'run', file], { stdio: [inFd, outFd, 'pipe'], timeout: 60_000 }).status;
  } finally {
    closeSync(inFd);
    closeSync(outFd);
  }
}

const script = [
  'import os, sys',
  'print("stdin:", sys.stdin.readline().strip())',
  'sys.stdout.flush()',
  'for n, flags in ((0, os.O_RDWR), (1, os.O_RDONLY), (1, os.O_RDWR)):',
  '    try:',
  '        fd = os.open("/proc/self/fd/%d" % n, flags)',
  '        if n == 1 and flags == os.O_RDONLY:',
  '            print("LOG-READ" if b"PRIOR-RECORD" in os.read(fd, 4096) else "log-empty")',
  '        else:',
  '            os.pwrite(fd, b"AGENT-WROTE\\n", 0)',
  '            print("WROTE-%d" % n)',
  '    except OSError as e:',
  '        print("refused", n, e.errno)',
  '    sys.stdout.flush()',
  'print("end")',
].join('\n');

describe('stdio handed to the agent', () => {
  // BUG (attack pass A, finding 2): a foreground run passes the user's stdio fds straight to the
  // agent; reopening /proc/self/fd/N is not limited to the fd's mode, so a read-only stdin file is
  // rewritten and an append-only log is read back and overwritten from inside the sandbox.
  it('a stdin file stays unwritten and an appended log stays append-only', () => {
    const input = join(s.dir, 'task.md');
    const log = join(s.dir, 'run.log');
    writeFileSync(input, 'USER-TASK\n');
    writeFileSync(log, 'PRIOR-RECORD\n');
    const { dataDir, file } = s.setup((a) => ({ name: a, command: ['python3', '-c', script] }));
    expect(runWithFiles(dataDir, file, input, log)).toBe(0);
    const out = readFileSync(log, 'utf8');
    expect(out).toContain('stdin: USER-TASK'); // positive control: stdin read, output appended
    expect(out).toContain('end');
    expect(readFileSync(input, 'utf8')).toBe('USER-TASK\n');
    expect(out.startsWith('PRIOR-RECORD\n')).toBe(true);
    expect(out).not.toMatch(/LOG-READ|WROTE-/);
  });
});
