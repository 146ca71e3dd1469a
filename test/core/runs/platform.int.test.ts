import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('platforms without full enforcement refuse to start agents (fail closed)', () => {
  it.each([
    ['darwin', /does not run agents on macOS yet/],
    ['win32', /cannot sandbox agents on Windows/],
  ] as const)('%s: the run is refused with a sentence that says why, and nothing starts', async (platform, message) => {
    const dir = mkdtempSync(join(tmpdir(), `paddock-${platform}-`));
    dirs.push(dir);
    const engine = await createEngine({ dataDir: dir, platform });
    try {
      engine.importProfile('name: refused\ncommand: [sh, -c, "exit 0"]\n', null);
      await expect(engine.start('refused', { stdio: 'pipe' })).rejects.toMatchObject({ code: 'E_PLATFORM_UNSUPPORTED', message: expect.stringMatching(message) });
      expect(engine.runs.active()).toEqual([]);
      expect(engine.store.events.query({ agent: 'refused', kindPrefix: 'run.' })).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
