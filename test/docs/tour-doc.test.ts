import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/**
 * docs/TOUR.md shows every screen the tour shoots (issue 15): each `shoot('NAME')` of
 * test/e2e/tour.int.test.ts appears in TOUR.md in light and dark, and the image is in docs/tour/.
 * (The images themselves are made by `npm run tour`.)
 */
describe('docs/TOUR.md', () => {
  const tour = readFileSync(join(ROOT, 'test', 'e2e', 'tour.int.test.ts'), 'utf8');
  const doc = readFileSync(join(ROOT, 'docs', 'TOUR.md'), 'utf8');
  const shots = [...tour.matchAll(/shoot\('([\w-]+)'\)/g), ...tour.matchAll(/\['[^']+', '([\w-]+)'\]/g)].map((m) => m[1]!);

  it('finds the tour shots', () => {
    expect(shots.length).toBeGreaterThanOrEqual(20);
    expect(new Set(shots).size).toBe(shots.length);
  });

  it('shows each shot in both themes, and the images exist', () => {
    for (const s of shots) {
      for (const theme of ['light', 'dark']) {
        expect(doc, `${s}-${theme}`).toContain(`(tour/${s}-${theme}.png)`);
        expect(existsSync(join(ROOT, 'docs', 'tour', `${s}-${theme}.png`)), `docs/tour/${s}-${theme}.png`).toBe(true);
      }
    }
  });

  it('shows nothing the tour does not make', () => {
    const linked = [...doc.matchAll(/\(tour\/([\w-]+)-(?:light|dark)\.png\)/g)].map((m) => m[1]!);
    expect([...new Set(linked)].filter((l) => !shots.includes(l))).toEqual([]);
  });
});
