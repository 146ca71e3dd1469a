// Migration 6 (issue 17): event hashes as 32-byte BLOBs, prev_hash dropped. A log written by the
// schema-5 code converts with every event, its head, its seals and its `events --json` shape kept;
// a log that was already broken keeps the same verdict (the same first bad event).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH, keychainAnchorPins, LATEST_VERSION, MIGRATIONS, openDatabase, openStore, type Store } from '../../../src/core/store/index.js';
import type { PaddockEvent } from '../../../src/shared/events.schema.js';
import { PaddockError } from '../../../src/shared/errors.js';
import { jsonLine } from '../../../src/shared/printable.js';
import { paddock, tempDir } from '../../helpers/cli.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'v5-log');
const meta = JSON.parse(readFileSync(join(FIXTURE, 'v5-log.json'), 'utf8')) as { keyFile: string; head: { id: number; hash: string }; events: PaddockEvent[] };
const tmp = tempDir('paddock-hash-blob-');
afterAll(() => tmp.cleanup());

let n = 0;
/** A data dir holding the schema-5 fixture (made by the pre-006 code) and its file pin. */
function v5DataDir(): { dir: string; file: string } {
  const dir = join(tmp.dir, `data-${++n}`);
  mkdirSync(dir, { mode: 0o700 });
  const file = join(dir, 'paddock.db');
  writeFileSync(file, gunzipSync(readFileSync(join(FIXTURE, 'v5-log.db.gz'))), { mode: 0o600 });
  copyFileSync(join(FIXTURE, meta.keyFile), join(dir, meta.keyFile));
  return { dir, file };
}

/** Opens the store with the key pinned in the file beside the database (no keychain). */
const open = (file: string): Store => openStore(file, { anchorPins: keychainAnchorPins(file, () => { throw new Error('no keychain in this test'); }) });

/** Edits a schema-5 file as someone with write access would (triggers dropped first). */
function editV5(file: string, sql: string): void {
  const db = new Database(file);
  try {
    db.exec(`DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; ${sql}`);
  } finally {
    db.close();
  }
}

const version = (file: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};

describe('migration 6: a log written by the schema-5 code', () => {
  it('keeps every event, the head, the seals and the returned events; new events chain on', () => {
    const { file } = v5DataDir();
    expect(version(file)).toBe(5);
    const store = open(file);
    try {
      expect(version(file)).toBe(LATEST_VERSION);
      const columns = store.db.prepare("SELECT name, type FROM pragma_table_info('events')").all();
      expect(columns).toEqual([
        { name: 'id', type: 'INTEGER' }, { name: 'ts', type: 'TEXT' }, { name: 'agent', type: 'TEXT' }, { name: 'kind', type: 'TEXT' },
        { name: 'run', type: 'TEXT' }, { name: 'body', type: 'TEXT' }, { name: 'hash', type: 'BLOB' }, { name: 'seal', type: 'TEXT' },
      ]);
      expect(store.db.prepare("SELECT count(*) AS n FROM events WHERE typeof(hash) = 'blob' AND length(hash) = 32").get()).toEqual({ n: 18 });
      const v = store.events.verify();
      expect(v).toMatchObject({ ok: true, count: 18, firstBad: null, anchor: 'file' });
      expect(v.message).toMatch(/^18 events, chain intact up to event 18 \(hash 7efa24938267fa83…\); sealed, anchor key pinned in a file/);
      expect(store.events.head()).toEqual(meta.head);
      const events = store.events.query({ order: 'asc' });
      expect(events.map((e) => JSON.stringify(e))).toEqual(meta.events.map((e) => JSON.stringify(e)));
      // The append-only triggers came back with the table.
      expect(() => store.db.prepare('DELETE FROM events WHERE id = 1').run()).toThrow(/append-only/);
      store.events.appendMany([{ kind: 'alert', agent: null, type: 'after', message: 'migration' }, { kind: 'alert', agent: null, type: 'after', message: 'again' }]);
      expect(store.events.verify()).toMatchObject({ ok: true, count: 20, anchor: 'file' });
    } finally {
      store.close();
    }
  });

  it('converts a longer unsealed log written by the schema-5 INSERT (several batches)', () => {
    const file = join(tmp.dir, `legacy-${++n}.db`);
    const db = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 5) });
    // The schema-5 append path: prev_hash and hash as hex text, no anchor (a log from before migration 3's seals).
    const ins = db.prepare('INSERT INTO events (id, ts, agent, kind, run, body, prev_hash, hash, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)');
    let prev = GENESIS_HASH;
    for (let b = 0; b < 10; b++)
      db.transaction(() => {
        for (let k = 1; k <= 100; k++) {
          const id = b * 100 + k;
          const row = { id, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(), agent: `a${id % 7}`, kind: 'proc.exec', run: id % 3 ? 'r1' : null, body: `{"argv":["step","${id}"],"pid":${id}}` };
          const hash = eventHash(prev, row);
          ins.run(id, row.ts, row.agent, row.kind, row.run, row.body, prev, hash);
          prev = hash;
        }
      }).immediate();
    db.close();
    const store = open(file);
    try {
      expect(store.events.verify()).toMatchObject({ ok: true, count: 1000, anchor: null });
      expect(store.events.head()).toEqual({ id: 1000, hash: prev });
      store.events.append({ kind: 'alert', agent: null, type: 'after', message: 'migration' });
      const v = store.events.verify();
      expect(v).toMatchObject({ ok: true, count: 1001, anchor: 'file' });
      expect(v.message).toMatch(/events 1\.\.1000 predate the anchor/);
    } finally {
      store.close();
    }
  });
});

describe('migration 6: a schema-5 log that was already tampered with', () => {
  const cases: { name: string; sql: string; firstBad: number }[] = [
    { name: 'an edited body', sql: `UPDATE events SET body = replace(body, '"step"', '"harmless"') WHERE id = 7`, firstBad: 7 },
    // Without the canonical-hex rule, unhex() would turn this edited row back into a valid one.
    { name: 'a hash rewritten in upper case', sql: 'UPDATE events SET hash = upper(hash) WHERE id = 3', firstBad: 3 },
    // Without the link rule, dropping prev_hash would erase the only trace of this edit.
    { name: 'a prev_hash edited on its own', sql: `UPDATE events SET prev_hash = '${'1'.repeat(64)}' WHERE id = 9`, firstBad: 9 },
    { name: 'a deleted event, later ids renumbered', sql: 'DELETE FROM events WHERE id = 5; UPDATE events SET id = id - 1 WHERE id > 5', firstBad: 5 },
    { name: 'a deleted middle event', sql: 'DELETE FROM events WHERE id = 12', firstBad: 12 },
  ];
  for (const c of cases)
    it(`is still reported at the same event after conversion: ${c.name}`, () => {
      const { dir, file } = v5DataDir();
      editV5(file, c.sql);
      const store = open(file);
      try {
        expect(version(file)).toBe(LATEST_VERSION);
        expect(store.events.verify()).toMatchObject({ ok: false, firstBad: c.firstBad });
      } finally {
        store.close();
      }
      expect(readFileSync(join(dir, meta.keyFile)).length).toBeGreaterThan(0);
    });

  it('refuses, changing nothing, a file holding values schema 6 cannot store (naming the file and what to do)', () => {
    const { file } = v5DataDir();
    // The attacker's table is no longer STRICT: a NULL body (schema 5 refused it, so did its verify).
    editV5(file, `ALTER TABLE events RENAME TO old_events;
      CREATE TABLE events (id INTEGER PRIMARY KEY, ts, agent, kind, run, body, prev_hash, hash, seal);
      INSERT INTO events SELECT * FROM old_events; DROP TABLE old_events; UPDATE events SET body = NULL WHERE id = 4;`);
    let err: unknown;
    try {
      open(file).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PaddockError);
    expect((err as PaddockError).code).toBe('E_STORE');
    expect((err as PaddockError).message).toMatch(/cannot be converted to schema 6 .*before conversion the chain was broken at event 4\): nothing was changed\. .*keep a copy/);
    expect(version(file)).toBe(5);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 18 });
    db.close();
  });
});

describe('paddock on a schema-5 data dir', () => {
  it('log verify passes and events --json prints exactly what the schema-5 code returned', () => {
    const { dir } = v5DataDir();
    const v = paddock(['--data-dir', dir, 'log', 'verify']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/log ok: 18 events, hash chain intact; sealed, anchor key pinned in a file/);
    const out = paddock(['--data-dir', dir, '--json', 'events', '--all']);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    // The same values (U+2028 and other characters terminals act on come out as \uXXXX escapes: jsonLine).
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(meta.events);
    expect(lines).toEqual(meta.events.map((e) => jsonLine(e)));
  });
});
