import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffFolder, exportFolder, isCleanRelative } from '../../../src/core/agents/folders-export.js';

let root: string;
let orig: string;
let copy: string;
let victim: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paddock-export-'));
  orig = join(root, 'papers');
  copy = join(root, 'workspace', 'papers');
  victim = join(root, 'home-bashrc');
  writeFileSync(victim, 'export SAFE=1\n');
  for (const d of [orig, copy]) {
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'notes.txt'), 'one\ntwo\nthree\n');
    writeFileSync(join(d, 'sub', 'keep.txt'), 'same\n');
    writeFileSync(join(d, 'gone.txt'), 'bye\n');
  }
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('review and export of a copy folder', () => {
  it('lists changed, added and removed files with a unified diff for text', async () => {
    writeFileSync(join(copy, 'notes.txt'), 'one\n2\nthree\n');
    writeFileSync(join(copy, 'sub', 'new.md'), '# hi\n');
    writeFileSync(join(copy, 'blob.bin'), Buffer.from([1, 0, 2]));
    rmSync(join(copy, 'gone.txt'));
    const d = await diffFolder(copy, orig);
    expect(d.copied).toBe(true);
    expect(d.files.map((f) => [f.path, f.status, f.exportable])).toEqual([
      ['blob.bin', 'added', true], ['gone.txt', 'removed', false], ['notes.txt', 'changed', true], ['sub/new.md', 'added', true],
    ]);
    expect(d.files.find((f) => f.path === 'notes.txt')!.diff).toBe('--- a/notes.txt\n+++ b/notes.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n');
    expect(d.files.find((f) => f.path === 'blob.bin')).toMatchObject({ diff: null, note: 'binary file' });
  });

  it('says nothing was copied yet when the copy does not exist', async () => {
    rmSync(copy, { recursive: true });
    expect(await diffFolder(copy, orig)).toMatchObject({ copied: false, files: [] });
    await expect(exportFolder(copy, orig)).rejects.toMatchObject({ code: 'E_FOLDER' });
  });

  it('exports only the chosen files, keeps their content, never deletes host files', async () => {
    writeFileSync(join(copy, 'notes.txt'), 'edited\n');
    writeFileSync(join(copy, 'sub', 'new.md'), '# hi\n');
    rmSync(join(copy, 'gone.txt'));
    const r = await exportFolder(copy, orig, ['sub/new.md', 'gone.txt']);
    expect(r.written).toEqual([join(orig, 'sub', 'new.md')]);
    expect(r.skipped).toEqual([{ path: 'gone.txt', reason: expect.stringContaining('never deletes') }]);
    expect(readFileSync(join(orig, 'sub', 'new.md'), 'utf8')).toBe('# hi\n');
    expect(readFileSync(join(orig, 'notes.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect(readFileSync(join(orig, 'gone.txt'), 'utf8')).toBe('bye\n');
    const all = await exportFolder(copy, orig);
    expect(all.written).toEqual([join(orig, 'notes.txt')]);
    expect(readFileSync(join(orig, 'notes.txt'), 'utf8')).toBe('edited\n');
  });

  it('never exports a symlink planted in the copy (threat: overwriting ~/.bashrc)', async () => {
    rmSync(join(copy, 'notes.txt'));
    symlinkSync(victim, join(copy, 'notes.txt'));
    symlinkSync('/etc/passwd', join(copy, 'passwd'));
    const d = await diffFolder(copy, orig);
    expect(d.files.filter((f) => f.type === 'symlink').map((f) => [f.path, f.exportable])).toEqual([['notes.txt', false], ['passwd', false]]);
    const r = await exportFolder(copy, orig, ['notes.txt', 'passwd']);
    expect(r.written).toEqual([]);
    expect(r.skipped.map((s) => s.path)).toEqual(['notes.txt', 'passwd']);
    expect(lstatSync(join(orig, 'passwd'), { throwIfNoEntry: false })).toBeUndefined();
    expect(readFileSync(victim, 'utf8')).toBe('export SAFE=1\n');
    expect(readFileSync(join(orig, 'notes.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('refuses a directory of the copy swapped for a link out of it, and traversal paths', async () => {
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'host secret\n');
    rmSync(join(copy, 'sub'), { recursive: true });
    symlinkSync(outside, join(copy, 'sub'));
    const d = await diffFolder(copy, orig);
    expect(d.files.find((f) => f.path === 'sub')).toMatchObject({ type: 'symlink', exportable: false });
    expect(d.files.some((f) => f.path.startsWith('sub/') && f.status !== 'removed')).toBe(false);
    const r = await exportFolder(copy, orig, ['sub/secret.txt', '../home-bashrc', '/etc/passwd', 'sub/../notes.txt']);
    expect(r.written).toEqual([]);
    expect(r.skipped).toHaveLength(4);
    expect(lstatSync(join(orig, 'sub', 'secret.txt'), { throwIfNoEntry: false })).toBeUndefined();
    expect(['a/b', 'a', 'x.txt'].every(isCleanRelative)).toBe(true);
    expect(['', '/a', 'a/../b', './a', 'a//b', 'a\0b', '..'].some(isCleanRelative)).toBe(false);
  });

  it('refuses a copy root the agent replaced with a link, and a host target that is a link', async () => {
    rmSync(copy, { recursive: true });
    symlinkSync('/etc', copy);
    await expect(diffFolder(copy, orig)).rejects.toMatchObject({ code: 'E_FOLDER' });
    rmSync(copy);
    mkdirSync(copy);
    writeFileSync(join(copy, 'link-target.txt'), 'agent text\n');
    symlinkSync(victim, join(orig, 'link-target.txt'));
    const d = await diffFolder(copy, orig);
    expect(d.files.find((f) => f.path === 'link-target.txt')).toMatchObject({ exportable: false });
    const r = await exportFolder(copy, orig, ['link-target.txt']);
    expect(r.written).toEqual([]);
    expect(readlinkSync(join(orig, 'link-target.txt'))).toBe(victim);
    expect(readFileSync(victim, 'utf8')).toBe('export SAFE=1\n');
  });
});
