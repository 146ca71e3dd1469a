import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, tempDir } from '../helpers/cli.js';

// PRODUCT.md principle 1: "A rule either is enforced … or is shown to the user as advisory … The UI
// never implies enforcement that does not exist", and "`deny` masks matching paths". Masks cover
// what exists at launch: a `deny write` / `deny read` naming a path that does not exist yet in a
// folder the agent can write was silently not enforced (the agent created and wrote it, no word).
const tmp = tempDir('paddock-conform-absent-');
afterAll(() => tmp.cleanup());

describe('deny rules naming a path that does not exist at launch', () => {
  it('are named in a paddock: note at the start; existing paths stay masked and get no note', () => {
    const rw = join(tmp.dir, 'rw');
    mkdirSync(rw);
    writeFileSync(join(rw, 'present.txt'), 'hidden\n');
    const file = join(tmp.dir, 'absent.yaml');
    const rules = [
      `allow write ${rw}`,
      `deny write ${rw}/absent.txt`,
      'deny read ~/absent-too.txt',
      `deny read ${rw}/present.txt`,
      'deny read /usr/no-such-path-here', // read-only system folder: nothing can appear there
      'deny write **/never-*.txt', // a glob: not one path
    ];
    writeFileSync(file, `name: absent\nrules: |\n${rules.map((r) => `  ${r}\n`).join('')}command: [sh, -c, "cat ${rw}/present.txt || echo masked"]\n`);
    const r = paddock(['--data-dir', join(tmp.dir, 'data'), 'run', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('masked');
    expect(r.stdout).not.toContain('hidden');
    const notes = r.stderr.split('\n').filter((l) => l.includes('covers nothing in this run'));
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(new RegExp(`^paddock: note: "deny write ${rw}/absent.txt" \\(line 4\\) covers nothing in this run: .* the agent can write it`));
    expect(notes[1]).toMatch(/^paddock: note: "deny read ~\/absent-too.txt" \(line 5\) covers nothing in this run: .*\/home\/absent-too.txt does not exist/);
  });
});
