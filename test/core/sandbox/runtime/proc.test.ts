import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, procState } from '../../../../src/core/sandbox/runtime/proc.js';

const hasCc = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasCc)('isAlive', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-proc-'));
    // The main thread ends (pthread_exit) while another thread keeps running: the leader shows as a zombie.
    writeFileSync(path.join(dir, 'leader.c'), '#include <pthread.h>\n#include <unistd.h>\nstatic void *run(void *a) { (void)a; sleep(30); return 0; }\nint main(void) { pthread_t t; pthread_create(&t, 0, run, 0); pthread_exit(0); }\n');
    expect(spawnSync('cc', ['-pthread', '-o', path.join(dir, 'leader'), path.join(dir, 'leader.c')]).status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts a process whose main thread ended while another thread runs as alive', async () => {
    const c = spawn(path.join(dir, 'leader'), [], { stdio: 'ignore' });
    try {
      const end = Date.now() + 3000;
      while (procState(c.pid!) !== 'Z' && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(procState(c.pid!)).toBe('Z'); // the leader looks dead…
      expect(isAlive(c.pid!)).toBe(true); // …but the process still runs code
    } finally {
      c.kill('SIGKILL');
    }
    await new Promise((r) => c.once('exit', r));
    expect(isAlive(c.pid!)).toBe(false);
  });
});
