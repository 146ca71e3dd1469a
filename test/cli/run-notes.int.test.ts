import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddockP, startServe, tempDir } from '../helpers/cli.js';

const t = tempDir('paddock-notes-');
afterAll(() => t.cleanup());

/** What the sandbox changes from the profile is said on the terminal of `paddock run`, first host or guest. */
describe('paddock run: notes before the agent starts', () => {
  const outer = join(t.dir, 'outer');
  const data = join(outer, 'data');
  mkdirSync(data, { recursive: true });
  // The workspace holds the data dir: it is hidden inside, and the user is told so.
  const noted = join(t.dir, 'noted.yaml');
  writeFileSync(noted, `name: noted\nworkspace: ${outer}\ncommand: [sh, -c, "echo agent-ran"]\n`);
  const plain = join(t.dir, 'plain.yaml');
  writeFileSync(plain, 'name: plain\ncommand: [sh, -c, "echo agent-ran"]\n');
  const NOTE = "paddock: note: A granted folder contains Paddock's data dir; it is hidden inside.";

  it('a first host prints the note on stderr; a plain profile prints none', async () => {
    const r = await paddockP(['--data-dir', data, 'run', noted]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('agent-ran');
    expect(r.stderr).toContain(NOTE);
    const p = await paddockP(['--data-dir', data, 'run', plain]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).not.toContain('paddock: note:');
  });

  it('a guest of a running host prints it too', async () => {
    const host = await startServe(data);
    try {
      const r = await paddockP(['--data-dir', data, 'run', noted]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('agent-ran');
      expect(r.stderr).toContain(NOTE);
    } finally {
      await host.stop();
    }
  });
});
