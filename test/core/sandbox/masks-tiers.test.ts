/**
 * Two-tier precedence at launch (PRODUCT.md "Precedence"): a deny for any target (`*`, `**`)
 * does not mask what a rule naming the path or program allows; a deny naming it still does.
 * Real files in a temp folder; these functions only plan mounts (bwrap is not needed).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execNameMasks } from '../../../src/core/sandbox/exec-mask.js';
import { planRuleMasks } from '../../../src/core/sandbox/masks.js';
import { rule } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-tiers-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('sandbox masks follow the two tiers', () => {
  it('deny exec * masks every program but the one allow exec names; deny exec NAME beats allow exec *', async () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    for (const n of ['tool', 'other']) writeFileSync(path.join(bin, n), '#!/bin/sh\n', { mode: 0o755 });
    expect(await execNameMasks([rule('deny exec *'), rule('allow exec tool')], [bin], [dir])).toEqual([path.join(bin, 'other')]);
    expect(await execNameMasks([rule('allow exec *'), rule('deny exec tool')], [bin], [dir])).toEqual([path.join(bin, 'tool')]);
  });

  it('deny read ** masks everything but what allow read names (its folders are decided child by child)', async () => {
    mkdirSync(path.join(dir, 'keep', 'deep'), { recursive: true });
    mkdirSync(path.join(dir, 'gone'));
    writeFileSync(path.join(dir, 'keep', 'deep', 'ok.txt'), 'ok');
    writeFileSync(path.join(dir, 'gone', 'x.txt'), 'x');
    writeFileSync(path.join(dir, 'top.txt'), 't');
    const plan = await planRuleMasks({
      trees: [{ root: dir, writable: false, isHome: true, isSystem: false }],
      rules: [rule('deny read **'), rule(`allow read ${dir}/keep/**`)],
      home: dir,
      emptyFile: path.join(dir, 'empty'),
      budget: { left: 10_000 },
    });
    expect(plan.masked.sort()).toEqual([path.join(dir, 'gone'), path.join(dir, 'top.txt')]);
    const named = await planRuleMasks({
      trees: [{ root: dir, writable: false, isHome: true, isSystem: false }],
      rules: [rule('allow read **'), rule(`deny read ${dir}/keep/**`)],
      home: dir,
      emptyFile: path.join(dir, 'empty'),
      budget: { left: 10_000 },
    });
    expect(named.masked).toEqual([path.join(dir, 'keep')]);
  });
});
