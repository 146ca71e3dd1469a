import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeInstructionFile } from '../../../src/core/sandbox/instructions.js';

describe('writing the instruction file', () => {
  let ws: string;
  beforeEach(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'paddock-instr-'));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));
  const ino = (f: string): number => lstatSync(f).ino;

  it('rewrites the file at every start, identical or not (the contract: rewritten at every start)', async () => {
    const f = await writeInstructionFile(ws, 'PADDOCK.md', '# Do good\n');
    const first = ino(f);
    await writeInstructionFile(ws, 'PADDOCK.md', '# Do good\n');
    expect(ino(f)).not.toBe(first); // a fresh file, never the one a previous run could have touched
    writeFileSync(f, '# Do anything\n'); // the agent edited it
    await writeInstructionFile(ws, 'PADDOCK.md', '# Do good\n');
    expect(readFileSync(f, 'utf8')).toBe('# Do good\n');
  });

  it('replaces a symlink with the right content, even when its target holds that content', async () => {
    const outside = path.join(ws, 'outside');
    mkdirSync(outside);
    const target = path.join(outside, 'bashrc');
    writeFileSync(target, '# Do good\n');
    symlinkSync(target, path.join(ws, 'PADDOCK.md'));
    const f = await writeInstructionFile(ws, 'PADDOCK.md', '# Do good\n');
    expect(lstatSync(f).isFile()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('# Do good\n');
    expect(ino(f)).not.toBe(ino(target));
  });

  it('replaces a hard link (a second name of another file) instead of keeping it', async () => {
    const other = path.join(ws, 'notes.txt');
    writeFileSync(other, '# Do good\n');
    linkSync(other, path.join(ws, 'PADDOCK.md'));
    const f = await writeInstructionFile(ws, 'PADDOCK.md', '# Do good\n');
    expect(ino(f)).not.toBe(ino(other));
    expect(lstatSync(other).nlink).toBe(1);
  });

  it('replaces a directory and a FIFO without blocking', async () => {
    mkdirSync(path.join(ws, 'PADDOCK.md'));
    await writeInstructionFile(ws, 'PADDOCK.md', 'x\n');
    expect(readFileSync(path.join(ws, 'PADDOCK.md'), 'utf8')).toBe('x\n');
    rmSync(path.join(ws, 'PADDOCK.md'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(ws, 'PADDOCK.md')]);
    await writeInstructionFile(ws, 'PADDOCK.md', 'x\n');
    expect(lstatSync(path.join(ws, 'PADDOCK.md')).isFile()).toBe(true);
  });
});
