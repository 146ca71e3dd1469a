import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDataDir, knownDataDirsFile, listedDataDirs } from '../../../src/core/data-dir/index.js';

/** The list of prepared data dirs (hidden in every sandbox) in a private HOME. */
describe('the list of data dirs this user prepared', () => {
  let home: string;
  const saved = process.env.HOME;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'paddock-ddlist-'));
    process.env.HOME = home;
  });
  afterEach(() => {
    process.env.HOME = saved;
    rmSync(home, { recursive: true, force: true });
  });

  it('lists each prepared data dir once, and drops folders that no longer hold one once it is long, never a live one', () => {
    const dirs = Array.from({ length: 70 }, (_, i) => ensureDataDir(join(home, 'dd', String(i))).root);
    ensureDataDir(dirs[0]!); // again: not listed twice
    expect(listedDataDirs(home).filter((d) => d === dirs[0])).toHaveLength(1);
    for (const d of dirs.slice(10)) rmSync(d, { recursive: true, force: true });
    const kept = ensureDataDir(join(home, 'dd', 'new')).root;
    const lines = readFileSync(knownDataDirsFile(home), 'utf8').trim().split('\n');
    expect(lines.sort()).toEqual([...dirs.slice(0, 10), kept].sort());
  });

  it('a short list is only appended to (no rewrite that could race another process)', () => {
    const a = ensureDataDir(join(home, 'a')).root;
    rmSync(a, { recursive: true, force: true });
    const b = ensureDataDir(join(home, 'b')).root;
    expect(readFileSync(knownDataDirsFile(home), 'utf8')).toBe(`${a}\n${b}\n`);
  });
});
