import type Database from 'better-sqlite3';
import { migration001 } from './001-initial.js';
import { migration002 } from './002-answers.js';
import { migration003 } from './003-log-anchor.js';
import { migration004 } from './004-answer-by.js';
import { migration005 } from './005-decoys.js';
import { migration006 } from './006-event-hash-blob.js';
import { migration007 } from './007-learning.js';

/** One schema step: its number (becomes `PRAGMA user_version`) and its SQL, or code run in the migration's transaction. */
export interface Migration {
  readonly version: number;
  readonly up: string | ((db: Database.Database) => void);
}

/** Every migration, in order. Append new ones; never edit or renumber a released one. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007];

/** The schema version this code writes and understands. */
export const LATEST_VERSION: number = MIGRATIONS.length === 0 ? 0 : MIGRATIONS[MIGRATIONS.length - 1]!.version;
