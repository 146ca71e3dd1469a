import type Database from 'better-sqlite3';
import { AgentsRepo } from './agents.repo.js';
import { keychainAnchorPins, type AnchorPins } from './anchor-pins.js';
import { AnswersRepo } from './answers.repo.js';
import { ApprovalsRepo } from './approvals.repo.js';
import { openDatabase, type DatabaseOptions } from './db.js';
import { EventsRepo } from './events.repo.js';
import { SecretsRepo } from './secrets.repo.js';
import { guard } from './store-errors.js';

/** Options of openStore: the database options plus the clock that stamps rows and events. */
export interface StoreOptions extends DatabaseOptions {
  /** The time source for timestamps (default: the system clock). */
  clock?: () => Date;
  /**
   * Where the event log's anchor key is pinned (default: the OS keychain, else a file beside the
   * database; touched once when the log is first anchored, and by verify). null: no anchoring.
   */
  anchorPins?: AnchorPins | null;
}

/** The open store: one connection and its repositories. */
export interface Store {
  /** The raw connection; only the repositories should run SQL on it. */
  readonly db: Database.Database;
  /** The database file. */
  readonly path: string;
  readonly agents: AgentsRepo;
  readonly events: EventsRepo;
  readonly approvals: ApprovalsRepo;
  readonly secrets: SecretsRepo;
  readonly answers: AnswersRepo;
  /** Runs `fn` in one IMMEDIATE transaction (all of its writes or none); nests as a savepoint. */
  transaction<T>(fn: () => T): T;
  /** Closes the connection (idempotent). */
  close(): void;
}

/**
 * Wraps every method of a repository so that database failures reach callers as PaddockError
 * E_STORE naming the file and the fix, never as a raw SqliteError.
 */
function guarded<T extends object>(repo: T, file: string, name: string): T {
  const out = Object.create(repo) as T;
  const proto = Object.getPrototypeOf(repo) as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(proto)) {
    const fn = proto[key];
    if (key === 'constructor' || typeof fn !== 'function') continue;
    Object.defineProperty(out, key, { value: (...args: unknown[]) => guard(file, `${name}.${key}`, () => (fn as (...a: unknown[]) => unknown).apply(repo, args)) });
  }
  return out;
}

/** Opens the store at `dbPath` (see openDatabase for modes, migrations and errors). */
export function openStore(dbPath: string, opts: StoreOptions = {}): Store {
  const clock = opts.clock ?? (() => new Date());
  const db = openDatabase(dbPath, opts);
  try {
    return guard(dbPath, 'opening', () => ({
      db,
      path: dbPath,
      agents: guarded(new AgentsRepo(db, clock), dbPath, 'agents'),
      events: guarded(new EventsRepo(db, clock, opts.anchorPins === undefined ? keychainAnchorPins(dbPath) : opts.anchorPins), dbPath, 'events'),
      approvals: guarded(new ApprovalsRepo(db, clock), dbPath, 'approvals'),
      secrets: guarded(new SecretsRepo(db, clock), dbPath, 'secrets'),
      answers: guarded(new AnswersRepo(db, clock), dbPath, 'answers'),
      transaction: <T>(fn: () => T): T => guard(dbPath, 'transaction', () => db.transaction(fn).immediate()),
      close: () => {
        if (db.open) db.close();
      },
    }));
  } catch (err) {
    db.close();
    throw err;
  }
}
