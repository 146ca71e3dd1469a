import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyMaskFile } from '../../../src/core/sandbox/empty-file.js';

describe('the shared empty mask file', () => {
  let tmp: string;
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.TMPDIR;
    tmp = mkdtempSync(path.join(os.tmpdir(), 'paddock-empty-'));
    process.env.TMPDIR = tmp; // os.tmpdir() follows it
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(tmp, { recursive: true, force: true });
  });

  const check = (f: string): void => {
    const st = lstatSync(f);
    expect(st.isFile()).toBe(true);
    expect(st.size).toBe(0);
    expect(st.mode & 0o777).toBe(0);
    expect(lstatSync(path.dirname(f)).mode & 0o077).toBe(0);
  };

  it('is one empty mode-0000 file in a private folder, reused by every launch', () => {
    const a = emptyMaskFile();
    check(a);
    expect(path.dirname(a)).toBe(path.join(tmp, `paddock-${process.getuid!()}`));
    expect(emptyMaskFile()).toBe(a);
  });

  it('is made again when it was removed, or when something wrote into it', () => {
    const a = emptyMaskFile();
    rmSync(a);
    check(emptyMaskFile());
    chmodSync(a, 0o644);
    writeFileSync(a, 'not empty');
    expect(emptyMaskFile()).toBe(a);
    check(a);
    expect(readFileSync(a, 'utf8')).toBe('');
  });

  it('never uses a folder that is a link or open to others (another private one instead)', () => {
    const elsewhere = mkdtempSync(path.join(tmp, 'elsewhere-'));
    symlinkSync(elsewhere, path.join(tmp, `paddock-${process.getuid!()}`));
    const a = emptyMaskFile();
    check(a);
    expect(a.startsWith(elsewhere)).toBe(false);
    expect(path.basename(path.dirname(a))).toMatch(/^paddock-mask-/);
    rmSync(path.join(tmp, `paddock-${process.getuid!()}`));
    mkdirSync(path.join(tmp, `paddock-${process.getuid!()}`), { mode: 0o777 });
    chmodSync(path.join(tmp, `paddock-${process.getuid!()}`), 0o777);
    expect(path.basename(path.dirname(emptyMaskFile()))).toMatch(/^paddock-mask-/);
  });
});
