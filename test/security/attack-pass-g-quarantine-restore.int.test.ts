/**
 * Attack pass G (black box), restoring a quarantined git plant through a link: the agent plants a
 * hook in a new repository of its workspace (quarantined after the run, as it should be), then in
 * its next run replaces the repository's folder with a link to a host folder of its choosing.
 * `paddock quarantine restore` followed the link and put the agent's `.git` (hooks, config) there,
 * outside every grant (`~` or, as root, any folder: the user's git there then runs the agent's
 * program). A restore now goes back into the very folder the item was taken from, or is refused.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, waitFor } from '../helpers/cli.js';
import { agentDirs, psAsync, suite } from './helpers.js';

const s = suite('atkg-qr');
afterAll(() => s.cleanup());

describe('quarantine restore and a link planted on its path', { timeout: 120_000 }, () => {
  it('is refused (the outside folder stays empty); an untouched item is restored (control)', async () => {
    const outside = join(s.dir, 'outside');
    mkdirSync(outside);
    // Two new repositories with an executable hook, moved into the workspace by one rename (the
    // plant pauses the agent as soon as it is seen: two renames could be paused between them).
    const plant = [
      'mkdir /tmp/pl && cd /tmp/pl && for r in victim other; do git init -q $r && printf "#!/bin/sh\\necho planted\\n" > $r/.git/hooks/pre-commit && chmod +x $r/.git/hooks/pre-commit; done',
      'mv /tmp/pl "$OLDPWD"/pl',
      'sleep 60',
    ].join('; ');
    // `outside` is granted rw: a link to a folder the agent may not write is quarantined after its
    // run (attack pass I, link plants); this one stays, and the restore must still refuse it.
    const { dataDir, file, name } = s.setup((n) => ({ name: n, folders: [{ path: outside, access: 'rw' }], command: ['bash', '-c', plant] }));
    const ws = agentDirs(dataDir, name).workspace;
    // The plant pauses the agent (git-plant); killing it ends the run, and its end check quarantines both.
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    await waitFor(async () => (await psAsync(dataDir)).some((r) => r.agent === name && r.state === 'paused'), 30_000);
    expect(paddock(['--data-dir', dataDir, 'kill', name]).code).toBe(0);
    expect(await run.exit).toBe(137);
    const items = paddock(['--data-dir', dataDir, 'quarantine', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; path: string });
    const victim = items.find((i) => i.path === join(ws, 'pl', 'victim', '.git'))!;
    const other = items.find((i) => i.path === join(ws, 'pl', 'other', '.git'))!;
    expect(victim && other).toBeTruthy();

    // The next run swaps the repository folder for a link to a host folder outside every grant.
    expect(paddock(['--data-dir', dataDir, 'run', file, '--', 'bash', '-c', `rm -rf pl/victim && ln -s ${outside} pl/victim`]).code).toBe(0);
    const r = paddock(['--data-dir', dataDir, 'quarantine', 'restore', victim.id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('is not the folder .git was quarantined from');
    expect(readdirSync(outside)).toEqual([]);
    expect(paddock(['--data-dir', dataDir, 'quarantine', '--json']).stdout).toContain(victim.id);

    // Control: the item whose folder is untouched goes back where it was.
    const ok = paddock(['--data-dir', dataDir, 'quarantine', 'restore', other.id]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(join(ws, 'pl', 'other', '.git', 'hooks', 'pre-commit'))).toBe(true);
  });
});
