import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDataDir } from '../../../src/core/data-dir/index.js';
import { PaddockError } from '../../../src/shared/errors.js';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'paddock-dd-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));
const mode = (p: string): number => statSync(p).mode & 0o777;

describe('ensureDataDir', () => {
  it('creates the data dir, agents/ and run/ with mode 0700', () => {
    const p = ensureDataDir(join(base, 'a', 'Paddock'));
    for (const d of [p.root, p.agents, p.run]) expect(mode(d)).toBe(0o700);
  });

  it('tightens an existing group/world-accessible data dir and subfolders to 0700', () => {
    const root = join(base, 'open');
    mkdirSync(join(root, 'run'), { recursive: true });
    chmodSync(root, 0o755);
    chmodSync(join(root, 'run'), 0o777);
    const p = ensureDataDir(root);
    for (const d of [p.root, p.agents, p.run]) expect(mode(d)).toBe(0o700);
  });

  it('refuses a run/ folder that is a symlink (sockets redirected elsewhere)', () => {
    const root = join(base, 'sym');
    mkdirSync(root);
    mkdirSync(join(base, 'elsewhere'));
    symlinkSync(join(base, 'elsewhere'), join(root, 'run'));
    expect(() => ensureDataDir(root)).toThrow(/symbolic link/);
  });

  it('refuses a data dir owned by another user', () => {
    const root = join(base, 'theirs');
    mkdirSync(root, { mode: 0o700 });
    chownSync(root, 65534, 65534);
    const err = (() => {
      try {
        ensureDataDir(root);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(PaddockError);
    expect((err as PaddockError).code).toBe('E_STORE');
    expect((err as PaddockError).message).toMatch(/belongs to another user/);
  });

  it('gives E_STORE when the data dir cannot be created', () => {
    writeFileSync(join(base, 'file'), '');
    expect(() => ensureDataDir(join(base, 'file', 'Paddock'))).toThrow(/Cannot prepare the data dir/);
  });
});
