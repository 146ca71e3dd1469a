import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { etcScanCached, privateEtcEntries, resetEtcScan } from '../../../src/core/sandbox/etc-scan.js';

const budget = (): { left: number } => ({ left: 100_000 });

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('private /etc entries, cached until /etc changes', () => {
  let root: string;
  const paths = async (): Promise<string[]> => (await privateEtcEntries(budget(), root)).map((e) => path.relative(root, e.path)).sort();
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'paddock-etc-'));
    chmodSync(root, 0o755);
    writeFileSync(path.join(root, 'hosts'), 'x', { mode: 0o644 });
    writeFileSync(path.join(root, 'shadow'), 'x', { mode: 0o600 });
    mkdirSync(path.join(root, 'ssl', 'private'), { recursive: true, mode: 0o755 });
    chmodSync(path.join(root, 'ssl', 'private'), 0o700);
    writeFileSync(path.join(root, 'ssl', 'private', 'key.pem'), 'x', { mode: 0o600 });
    writeFileSync(path.join(root, 'ssl', 'cert.pem'), 'x', { mode: 0o644 });
    writeFileSync(path.join(root, 'ssl', 'group-only'), 'x', { mode: 0o640 });
  });
  afterEach(() => {
    resetEtcScan();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists what others cannot read (a private folder once, not its content) and answers the next call from the cache', async () => {
    const first = await privateEtcEntries(budget(), root);
    expect(await paths()).toEqual(['shadow', 'ssl/group-only', 'ssl/private']);
    expect(first.find((e) => e.path.endsWith('private'))!.dir).toBe(true);
    expect(etcScanCached(root)).toBe(true);
    const b = budget();
    expect(await privateEtcEntries(b, root)).toBe(first);
    expect(b.left).toBe(100_000); // nothing was read again
  });

  it('a chmod, a new private file deep down, or a folder made private is seen at the next launch', async () => {
    expect(await paths()).toEqual(['shadow', 'ssl/group-only', 'ssl/private']);
    chmodSync(path.join(root, 'hosts'), 0o600);
    await until(() => !etcScanCached(root), 'the cache to drop after a chmod');
    expect(await paths()).toContain('hosts');

    writeFileSync(path.join(root, 'ssl', 'new.key'), 'x', { mode: 0o600 });
    await until(() => !etcScanCached(root), 'the cache to drop after a new file in a subfolder');
    expect(await paths()).toContain('ssl/new.key');

    mkdirSync(path.join(root, 'wireguard'), { mode: 0o755 });
    await until(() => !etcScanCached(root), 'the cache to drop after a new folder');
    expect(await paths()).not.toContain('wireguard');
    chmodSync(path.join(root, 'wireguard'), 0o700);
    await until(() => !etcScanCached(root), 'the cache to drop after the folder was made private');
    expect(await paths()).toContain('wireguard');
  });

  it('a missing or symlinked root has no entries', async () => {
    expect(await privateEtcEntries(budget(), path.join(root, 'nope'))).toEqual([]);
    symlinkSync(path.join(root, 'ssl'), path.join(root, 'link'));
    expect(await privateEtcEntries(budget(), path.join(root, 'link'))).toEqual([]);
  });
});
