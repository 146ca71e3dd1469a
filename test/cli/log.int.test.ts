import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, tempDir } from '../helpers/cli.js';

const tmp = tempDir('paddock-log-');
afterAll(() => tmp.cleanup());

describe('paddock log verify', () => {
  it('exits 0 on an intact log and 1 naming the first event changed behind Paddock’s back', () => {
    const dataDir = join(tmp.dir, 'data');
    const file = join(tmp.dir, 'a.yaml');
    writeFileSync(file, 'name: logger\ncommand: [sh, -c, "echo hi > note.txt; sleep 0.3"]\n');
    expect(paddock(['--data-dir', dataDir, 'run', file]).code).toBe(0);
    const ok = paddock(['--data-dir', dataDir, 'log', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/log ok: \d+ events/);

    // An attacker with the file: drop the append-only triggers and rewrite one event's body.
    const db = new Database(join(dataDir, 'paddock.db'));
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").all() as { name: string }[];
    for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`);
    const target = db.prepare("SELECT id FROM events WHERE kind = 'run.exit'").get() as { id: number };
    db.prepare('UPDATE events SET body = ? WHERE id = ?').run('{"code":0,"signal":null,"exitCode":0,"note":"nothing to see"}', target.id);
    db.close();

    const bad = paddock(['--data-dir', dataDir, 'log', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^paddock: log verification failed: event ${target.id}\\b`, 'm'));
    const json = JSON.parse(paddock(['--data-dir', dataDir, '--json', 'log', 'verify']).stdout) as { ok: boolean; firstBad: number };
    expect(json).toMatchObject({ ok: false, firstBad: target.id });
  });
});
