import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, openStore } from '../../../src/core/store/index.js';
import { MIGRATIONS } from '../../../src/core/store/migrations/index.js';

// Issue 18: decoys are on for agents created after migration 5, off for those that existed before.
let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paddock-decoys-db-'));
  file = join(dir, 'paddock.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the per-agent decoy switch', () => {
  it('is off for agents that existed before migration 5 and on for new ones; it can be switched', () => {
    const old = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < 5) });
    old.prepare("INSERT INTO agents (name, profile, source, network, created, updated) VALUES ('old', 'name: old', NULL, NULL, 'x', 'x')").run();
    old.close();
    const s = openStore(file);
    try {
      expect(s.agents.decoys('old')).toBe(false);
      s.agents.upsert({ name: 'fresh', profile: 'name: fresh\ncommand: [sh]\n' });
      expect(s.agents.decoys('fresh')).toBe(true);
      // Saving a profile again keeps the switch.
      expect(s.agents.setDecoys('fresh', false)).toBe(true);
      s.agents.upsert({ name: 'fresh', profile: 'name: fresh\ncommand: [bash]\n' });
      expect(s.agents.decoys('fresh')).toBe(false);
      expect(s.agents.decoys('nobody')).toBeNull();
      expect(s.agents.setDecoys('nobody', true)).toBe(false);
    } finally {
      s.close();
    }
  });
});
