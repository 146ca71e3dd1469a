import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, tempDir } from '../helpers/cli.js';

const tmp = tempDir('paddock-fds-');
afterAll(() => tmp.cleanup());

// Threat: an fd Paddock inherited from whoever started it (a terminal, an IDE, a desktop launcher)
// reaching the agent: through /proc/self/fd/N the agent could read the file, or walk a directory
// fd out of its mounts. bwrap passes every fd on, so Paddock must close or cover them first.
describe.each([
  ['the native launcher', {}],
  ['the shell fallback (PADDOCK_NATIVE=off)', { PADDOCK_NATIVE: 'off' }],
])('fds inherited by paddock run, with %s', (_name, extraEnv) => {
  it('never reach the agent: neither a file nor a directory', () => {
    const dir = join(tmp.dir, `case-${Object.keys(extraEnv).length}`);
    mkdirSync(dir);
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'the host secret\n');
    const file = join(dir, 'fdt.yaml');
    writeFileSync(
      file,
      'name: fdt\ncommand: [/bin/sh, -c, "ls -l /proc/$$/fd; cat /proc/self/fd/40 /proc/self/fd/41/secret.txt; echo done"]\n',
    );
    const fileFd = openSync(secret, 'r');
    const dirFd = openSync(dir, 'r');
    try {
      const stdio = ['ignore', 'pipe', 'pipe', ...Array<'ignore'>(37).fill('ignore'), fileFd, dirFd];
      const r = paddock(['--data-dir', join(dir, 'data'), 'run', file], { stdio: stdio as never, env: { ...process.env, ...extraEnv } });
      expect(r.stdout).toContain('done');
      // Beyond stdio, at most /dev/null (the shell fallback covers each inherited fd with it).
      const links = [...r.stdout.matchAll(/ (\d+) -> (.*)$/gm)].map((m) => [Number(m[1]), m[2]] as const);
      expect(links.filter(([fd]) => fd <= 2)).toHaveLength(3);
      expect(links.filter(([fd, to]) => fd > 2 && to !== '/dev/null')).toEqual([]);
      expect(r.stdout + r.stderr).not.toContain('the host secret');
    } finally {
      closeSync(fileFd);
      closeSync(dirFd);
    }
  });
});
