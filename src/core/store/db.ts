import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PaddockError } from '../../shared/errors.js';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations/index.js';
import { guard } from './store-errors.js';

/** How the database connection is opened. */
export interface DatabaseOptions {
  /** How long to wait for another process's lock before failing with E_STORE (default 5000 ms). */
  busyTimeoutMs?: number;
  /**
   * `normal` (default): with WAL, a committed transaction survives a crash or SIGKILL of the
   * process (it is in the WAL file before commit returns); only an OS crash or power loss can
   * lose the last transactions, never corrupt the file. `full`: fsync at every commit, so power
   * loss loses nothing acknowledged either, at the cost of one fsync per write.
   */
  synchronous?: 'normal' | 'full';
  /** Open without writing anything (no migrations, no mode fixes): for reading or verifying a copy. */
  readonly?: boolean;
  /** The migrations to apply (default: all of this version's). For tests of the migration runner. */
  migrations?: readonly Migration[];
  /** A better-sqlite3 binary built for another ABI (the Electron app's; see README). */
  nativeBinding?: string;
}

/** Creates the file 0600 before SQLite does (it would use 0644) and tightens a wider mode. */
function prepareFile(file: string): void {
  // Threat: other local users reading events, profiles and vault ciphertext from a 0644 file.
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (process.platform !== 'win32' && existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
  }
}

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Database.Database, file: string, migrations: readonly Migration[]): void {
  const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  const current = userVersion(db);
  if (current > known)
    throw new PaddockError(
      'E_STORE',
      `The database ${file} was written by a newer Paddock (schema version ${current}; this one knows up to ${known}): update Paddock, or use another --data-dir.`,
    );
  if (current === 0) {
    const objects = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }).n;
    // Threat: silently adding tables to (and trusting) someone else's database file.
    if (objects > 0) throw new PaddockError('E_STORE', `${file} is an SQLite database but not a Paddock one: move it aside or use another --data-dir.`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    // IMMEDIATE: take the write lock first so two processes opening a new file never migrate twice.
    db.transaction(() => {
      if (userVersion(db) >= m.version) return;
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    }).immediate();
  }
}

function checkMigrations(migrations: readonly Migration[]): void {
  // Contiguous from 1: a gap would let a database skip a step (a schema at N+1 never ran N).
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new PaddockError('E_INTERNAL', `Migration number ${m.version} is out of order (expected ${i + 1}).`);
  });
}

/**
 * Opens (creating and migrating if needed) the SQLite database at `file`: WAL, foreign keys,
 * busy timeout, file mode 0600. Every failure is a PaddockError E_STORE naming the file and the fix.
 */
export function openDatabase(file: string, opts: DatabaseOptions = {}): Database.Database {
  const migrations = opts.migrations ?? MIGRATIONS;
  checkMigrations(migrations);
  return guard(file, 'opening', () => {
    if (opts.readonly !== true) prepareFile(file);
    const db = new Database(file, { readonly: opts.readonly === true, fileMustExist: opts.readonly === true, timeout: opts.busyTimeoutMs ?? 5000, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) });
    try {
      // Threat: a tampered file whose schema (triggers, views) calls functions with side effects.
      db.pragma('trusted_schema = OFF');
      db.pragma('foreign_keys = ON');
      if (opts.readonly === true) {
        const v = userVersion(db);
        if (v !== LATEST_VERSION && opts.migrations === undefined)
          throw new PaddockError('E_STORE', `The database ${file} has schema version ${v}, this Paddock reads ${LATEST_VERSION}: open it once with write access (or update Paddock).`);
        return db;
      }
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new PaddockError('E_STORE', `The database ${file} cannot use write-ahead logging (mode ${String(mode)}): put the data dir on a local disk.`);
      db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      // Threat: deleted secrets' ciphertext lingering in free pages of the file.
      db.pragma('secure_delete = ON');
      // Fail now, clearly, if the file is read-only or locked, rather than at the first event.
      db.exec('BEGIN IMMEDIATE; ROLLBACK');
      migrate(db, file, migrations);
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  });
}
