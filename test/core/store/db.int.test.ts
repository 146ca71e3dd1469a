import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, openDatabase, openStore, type Migration } from '../../../src/core/store/index.js';
import { PaddockError } from '../../../src/shared/errors.js';
import { firstLine, spawnStoreChild } from './fixtures/spawn-child.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paddock-db-'));
  file = join(dir, 'paddock.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function rawVersion(): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

function storeError(fn: () => unknown): PaddockError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PaddockError);
    expect((err as PaddockError).code).toBe('E_STORE');
    return err as PaddockError;
  }
  throw new Error('expected an E_STORE error');
}

describe('openStore: schema and migrations', () => {
  it('creates the schema once and sets user_version; reopening changes nothing', () => {
    const s = openStore(file);
    s.agents.upsert({ name: 'alpha', profile: 'name: alpha\n' });
    s.close();
    expect(rawVersion()).toBe(LATEST_VERSION);
    const again = openStore(file);
    expect(again.agents.get('alpha')?.profile).toBe('name: alpha\n');
    again.close();
    expect(rawVersion()).toBe(LATEST_VERSION);
  });

  it('applies only the migrations newer than the file, each with its version', () => {
    const m1: Migration = { version: 1, up: 'CREATE TABLE t1 (x INTEGER) STRICT;' };
    const m2: Migration = { version: 2, up: 'CREATE TABLE t2 (x INTEGER) STRICT; INSERT INTO t1 VALUES (42);' };
    openDatabase(file, { migrations: [m1] }).close();
    expect(rawVersion()).toBe(1);
    const s = openDatabase(file, { migrations: [m1, m2] });
    expect(s.prepare('SELECT count(*) AS n FROM t1').get()).toEqual({ n: 1 });
    s.close();
    expect(rawVersion()).toBe(2);
    openDatabase(file, { migrations: [m1, m2] }).close();
    const db = new Database(file);
    expect(db.prepare('SELECT count(*) AS n FROM t1').get()).toEqual({ n: 1 });
    db.close();
  });

  it('rolls a failing migration back entirely, version unchanged', () => {
    const bad: Migration = { version: 1, up: 'CREATE TABLE ok1 (x INTEGER); CREATE TABLE broken (' };
    expect(() => openDatabase(file, { migrations: [bad] })).toThrow(PaddockError);
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'ok1'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a database written by a newer Paddock, saying how to fix it', () => {
    openStore(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${LATEST_VERSION + 5}`);
    db.close();
    const err = storeError(() => openStore(file));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/newer Paddock.*update Paddock/);
  });

  it('refuses an SQLite file that is not a Paddock database', () => {
    const db = new Database(file);
    db.exec('CREATE TABLE mail (body TEXT)');
    db.close();
    expect(storeError(() => openStore(file)).message).toMatch(/not a Paddock one/);
  });

  it('refuses a file that is not a database at all', () => {
    writeFileSync(file, 'this is not sqlite, just text that is long enough to have a header.....................................');
    expect(storeError(() => openStore(file)).message).toMatch(/damaged or not a Paddock database/);
  });
});

describe('openStore: modes and durability settings', () => {
  it('uses WAL, foreign keys and NORMAL sync (FULL on request)', () => {
    const s = openStore(file);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(s.db.pragma('synchronous', { simple: true })).toBe(1);
    s.close();
    const f = openStore(file, { synchronous: 'full' });
    expect(f.db.pragma('synchronous', { simple: true })).toBe(2);
    f.close();
  });

  it('creates the database and its WAL files 0600 and tightens a world-readable file', () => {
    const s = openStore(file);
    s.events.append({ kind: 'alert', agent: null, type: 'store', message: 'x' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}-shm`).mode & 0o777).toBe(0o600);
    s.close();
    chmodSync(file, 0o644);
    openStore(file).close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('an event acknowledged as written survives a SIGKILL of the writing process', async () => {
    const child = spawnStoreChild(['append-and-wait', file]);
    try {
      expect(await firstLine(child)).toBe('appended 1');
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    const s = openStore(file);
    expect(s.events.query({}).map((e) => e.kind)).toEqual(['alert']);
    expect(s.events.verify().ok).toBe(true);
    s.close();
  });
});

describe('openStore: clear errors instead of raw SQLite errors', () => {
  it('a database file the user cannot write gives E_STORE naming the file and the fix', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'paddock-ro-'));
    try {
      chmodSync(shared, 0o755);
      const db = join(shared, 'paddock.db');
      openStore(db).close();
      chmodSync(db, 0o644);
      // We run as root, which ignores file modes: open it as an unprivileged user instead.
      const line = await firstLine(spawnStoreChild(['open', db], { uid: 65534, gid: 65534 }));
      const res = JSON.parse(line) as { ok: boolean; paddock: boolean; code: string; message: string };
      expect(res).toMatchObject({ ok: false, paddock: true, code: 'E_STORE' });
      expect(res.message).toContain(db);
      expect(res.message).toMatch(/writable/);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('a database locked by another process gives E_STORE saying to close the other program', () => {
    openStore(file).close();
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const err = storeError(() => openStore(file, { busyTimeoutMs: 50 }));
      expect(err.message).toContain(file);
      expect(err.message).toMatch(/locked by another process/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('a missing folder gives E_STORE, not a raw error', () => {
    const err = storeError(() => openStore(join(dir, 'nope', 'paddock.db')));
    expect(err.message).toContain(join(dir, 'nope', 'paddock.db'));
  });

  it('repository calls that hit a lock fail with E_STORE too', () => {
    const s = openStore(file, { busyTimeoutMs: 50 });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const err = storeError(() => s.events.append({ kind: 'alert', agent: null, type: 't', message: 'm' }));
      expect(err.message).toMatch(/locked by another process \(events\.appendMany\)|locked by another process \(events\.append\)/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
      s.close();
    }
  });
});
