import { describe, expect, it } from 'vitest';
import { Scrollback, SCROLLBACK_BYTES } from '../../../src/core/terminal/scrollback.js';

describe('a terminal session scrollback', () => {
  it('keeps everything below the bound, in order', () => {
    const s = new Scrollback(64);
    s.push(Buffer.from('one\n'));
    s.push(Buffer.from('two\n'));
    expect(s.snapshot().toString()).toBe('one\ntwo\n');
  });

  it('drops the oldest output beyond the bound and restarts at a line', () => {
    const s = new Scrollback(32);
    for (let i = 0; i < 100; i++) s.push(Buffer.from(`line-${i}\n`));
    const kept = s.snapshot().toString();
    expect(s.size).toBeLessThanOrEqual(32);
    expect(kept.endsWith('line-99\n')).toBe(true);
    expect(kept).toMatch(/^line-\d+\n/);
    expect(kept).not.toContain('line-0\n');
  });

  it('bounds one huge chunk too (256 KiB by default)', () => {
    const s = new Scrollback();
    s.push(Buffer.alloc(SCROLLBACK_BYTES * 3, 0x41));
    expect(s.size).toBe(SCROLLBACK_BYTES);
    s.push(Buffer.from('\ntail'));
    expect(s.size).toBeLessThanOrEqual(SCROLLBACK_BYTES);
    expect(s.snapshot().toString().endsWith('\ntail')).toBe(true);
  });
});
