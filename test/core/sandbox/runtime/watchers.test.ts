import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupName } from '../../../../src/core/sandbox/runtime/cgroup.js';
import { FsWatcher } from '../../../../src/core/sandbox/runtime/fs-watch.js';
import { ProcWatcher } from '../../../../src/core/sandbox/runtime/proc-watch.js';
import { sleep } from '../../../../src/core/sandbox/runtime/proc.js';
import type { FsChangeEvent, ProcExecEvent } from '../../../../src/core/sandbox/runtime/types.js';

describe('ProcWatcher', () => {
  it('reports each live process once and folds a burst beyond the rate cap into one summary', () => {
    const events: ProcExecEvent[] = [];
    // Real processes: our own pid stands in for many (the watcher keys by pid, so give it distinct ones).
    const w = new ProcWatcher(() => [process.pid, process.ppid], () => false, (e) => events.push(e), 1000, 1);
    w.poll();
    w.poll();
    expect(events).toHaveLength(1);
    expect(events[0]!.argv.length).toBeGreaterThan(0);
    w.stop();
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({ kind: 'proc.exec', pid: 0, argv: [], suppressed: 1 });
  });
});

describe('FsWatcher', () => {
  it('coalesces writes to one path, sees new subfolders, and does not follow symlinks', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pdk-fsw-'));
    const outside = mkdtempSync(join(tmpdir(), 'pdk-out-'));
    symlinkSync(outside, join(root, 'link'));
    const events: FsChangeEvent[] = [];
    const w = new FsWatcher(root, (e) => events.push(e), [], 100);
    w.start();
    try {
      for (let i = 0; i < 5; i++) writeFileSync(join(root, 'a.txt'), String(i));
      mkdirSync(join(root, 'new'));
      await sleep(50);
      writeFileSync(join(root, 'new', 'b.txt'), 'b');
      writeFileSync(join(outside, 'secret.txt'), 'x');
      await sleep(300);
      w.stop();
      const a = events.filter((e) => e.path === join(root, 'a.txt'));
      expect(a).toHaveLength(1);
      expect(a[0]!.count).toBeGreaterThan(1);
      expect(events.some((e) => e.path === join(root, 'new', 'b.txt'))).toBe(true);
      expect(events.some((e) => e.path.includes('secret.txt'))).toBe(false);
    } finally {
      w.stop();
      rmSync(root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('FsWatcher: excluded folders', () => {
  it('neither watches nor reports a folder excluded inside the root (an exclusion holding the root is ignored)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pdk-fsx-'));
    mkdirSync(join(root, 'data', 'deep'), { recursive: true });
    const events: FsChangeEvent[] = [];
    const w = new FsWatcher(root, (e) => events.push(e), [join(root, 'data'), tmpdir()], 100);
    w.start();
    try {
      writeFileSync(join(root, 'data', 'paddock.db-wal'), 'x');
      writeFileSync(join(root, 'data', 'deep', 'f'), 'x');
      mkdirSync(join(root, 'data', 'new'));
      writeFileSync(join(root, 'mine.txt'), 'x');
      await sleep(300);
      w.stop();
      expect(events.filter((e) => e.path.startsWith(join(root, 'data')))).toEqual([]);
      // Control: the rest of the root is watched (an exclusion above the root does not hide it all).
      expect(events.some((e) => e.path === join(root, 'mine.txt'))).toBe(true);
    } finally {
      w.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('cgroupName', () => {
  it('keeps run ids from escaping the paddock parent', () => {
    expect(cgroupName('a', '../../x')).toBe('a-__.._x');
    expect(cgroupName('a', '../../x')).not.toContain('/');
  });
});
