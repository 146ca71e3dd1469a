import { chmodSync, chownSync, copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nativeBinary, resetNativeLookup } from '../../src/core/native.js';
import { ROOT, tempDir } from '../helpers/cli.js';

describe('finding the native helpers', () => {
  let tmp: ReturnType<typeof tempDir>;
  let saved: string | undefined;
  beforeEach(() => {
    tmp = tempDir();
    saved = process.env.PADDOCK_NATIVE;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PADDOCK_NATIVE;
    else process.env.PADDOCK_NATIVE = saved;
    resetNativeLookup();
    tmp.cleanup();
  });
  const lookup = (env: string | undefined): string | null => {
    if (env === undefined) delete process.env.PADDOCK_NATIVE;
    else process.env.PADDOCK_NATIVE = env;
    resetNativeLookup();
    return nativeBinary('paddock-launch');
  };
  const plant = (dir: string): string => {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const f = path.join(dir, 'paddock-launch');
    copyFileSync('/bin/true', f);
    chmodSync(f, 0o755);
    return f;
  };

  it("finds them in the package's own native/bin, or in PADDOCK_NATIVE's folder; off turns them off", () => {
    const own = lookup(undefined);
    if (own !== null) expect(own).toBe(path.join(ROOT, 'native', 'bin', 'paddock-launch'));
    const f = plant(path.join(tmp.dir, 'bin'));
    expect(lookup(path.join(tmp.dir, 'bin'))).toBe(f);
    expect(lookup('off')).toBeNull();
  });

  it('refuses a helper that someone else could have replaced', () => {
    const dir = path.join(tmp.dir, 'bin');
    const f = plant(dir);
    chmodSync(dir, 0o777); // a folder anyone can write: the file could be swapped
    expect(lookup(dir)).toBeNull();
    chmodSync(dir, 0o755);
    chmodSync(f, 0o757);
    expect(lookup(dir)).toBeNull();
    chmodSync(f, 0o755);
    expect(lookup(dir)).toBe(f);
    if (process.getuid?.() === 0) {
      chownSync(f, 4321, 4321); // owned by another user
      expect(lookup(dir)).toBeNull();
    }
  });
});
