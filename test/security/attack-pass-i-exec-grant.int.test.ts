/**
 * Attack pass I (black box): `deny exec NAME` "makes the program's file absent inside … by name"
 * (PRODUCT.md), but only PATH and helper folders were searched: a copy named exactly like the
 * program in a granted folder (`~/tools/bin/ssh`, a vendored binary in a project) ran, and a
 * non-executable copy could be run through `ld.so`. Now masked in every grant and the workspace.
 * Positive controls: other programs and data files there still work.
 */
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runResuming, suite } from './helpers.js';

const s = suite('atkiexg');
afterAll(() => s.cleanup());

const ro = join(s.dir, 'tools');
const rw = join(s.dir, 'proj');
for (const d of [join(ro, 'bin'), join(ro, 'sub'), join(rw, 'vendor')]) mkdirSync(d, { recursive: true });
copyFileSync('/bin/echo', join(ro, 'bin', 'tooly'));
copyFileSync('/bin/echo', join(ro, 'sub', 'tooly3'));
copyFileSync('/bin/echo', join(ro, 'sub', 'tooly'));
chmodSync(join(ro, 'sub', 'tooly'), 0o644); // runnable through ld.so all the same
copyFileSync('/bin/echo', join(rw, 'vendor', 'tooly'));
copyFileSync('/bin/echo', join(ro, 'bin', 'other'));
writeFileSync(join(ro, 'sub', 'tooly3.txt'), 'notes about tooly\n');

describe('deny exec NAME and copies of the program in granted folders', () => {
  it('masks them (ro and rw grants, versioned, not executable); other files still work', async () => {
    const { dataDir, file, name } = s.setup((n) => ({
      name: n,
      folders: [{ path: ro, access: 'ro' }, { path: rw, access: 'rw' }],
      rules: 'deny exec tooly\n',
    }));
    const cmd = [
      `${ro}/bin/tooly RAN-bin; echo bin=$?`,
      `${ro}/sub/tooly3 RAN-versioned; echo versioned=$?`,
      `/lib64/ld-linux-x86-64.so.2 ${ro}/sub/tooly RAN-ldso; echo ldso=$?`,
      `${rw}/vendor/tooly RAN-rw; echo rw=$?`,
      `${ro}/bin/other OTHER-RAN`,
      `cat ${ro}/sub/tooly3.txt`,
    ].join('; ');
    const r = await runResuming(dataDir, file, name, { args: ['--', 'bash', '-c', cmd], ms: 40_000 });
    // Threat: the user's deny exec defeated by a copy the user happened to grant.
    expect(r.stdout).not.toContain('RAN-');
    for (const k of ['bin', 'versioned', 'ldso', 'rw']) expect(r.stdout).not.toContain(`${k}=0`);
    expect(r.stdout).toContain('OTHER-RAN');
    expect(r.stdout).toContain('notes about tooly');
  }, 90_000);
});
