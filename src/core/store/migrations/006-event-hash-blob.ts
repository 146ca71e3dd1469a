import type Database from 'better-sqlite3';
import { PaddockError } from '../../../shared/errors.js';
import { eventHash, GENESIS_HASH, verifyChain } from '../event-chain.js';

/**
 * Migration 6 (issue 17, ingest speed): event hashes are stored as 32-byte BLOBs instead of 64 hex
 * characters, and the prev_hash column is dropped (it always equalled the previous row's hash, and
 * each hash still covers it: the chain is unchanged, `hash = sha256(prev_hash_hex || event)`).
 * The table is rebuilt in the migration's one transaction; the chain is verified before and after,
 * and the conversion is undone unless the verdict (intact, or the first bad event) is the same.
 */

/** Schema 6 of the events table (migration 1's, without prev_hash, hash as 32 bytes). */
const TABLE = (name: string): string => /* sql */ `
CREATE TABLE ${name} (
  id    INTEGER PRIMARY KEY,
  ts    TEXT NOT NULL,
  agent TEXT,
  kind  TEXT NOT NULL,
  run   TEXT,
  body  TEXT NOT NULL,
  hash  BLOB NOT NULL CHECK (length(hash) = 32),
  seal  TEXT
) STRICT;`;

const REBUILD = /* sql */ `
${TABLE('events_v6')}
-- A row converts exactly when its hash is canonical (64 lowercase hex digits) and its prev_hash
-- is the previous row's hash. Otherwise the schema-5 chain was already broken there, and its
-- hash becomes 32 zero bytes, which fails at that same event (threat: a conversion that "heals"
-- an edit: a hash rewritten in upper case, or a prev_hash column edited on its own, which the
-- dropped column would no longer show).
INSERT INTO events_v6 (id, ts, agent, kind, run, body, hash, seal)
  SELECT id, ts, agent, kind, run, body,
         CASE WHEN typeof(hash) = 'text' AND length(hash) = 64 AND hash = lower(hash) AND unhex(hash) IS NOT NULL
                   AND prev_hash IS lag(hash, 1, '${GENESIS_HASH}') OVER (ORDER BY id)
              THEN unhex(hash) ELSE zeroblob(32) END,
         seal
  FROM events ORDER BY id;
-- DROP TABLE fires no trigger; the table's indexes and triggers go with it and are made again.
DROP TABLE events;
ALTER TABLE events_v6 RENAME TO events;
CREATE INDEX events_agent_id ON events (agent, id);
CREATE INDEX events_kind_id ON events (kind, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be changed'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be deleted'); END;
`;

interface Verdict {
  ok: boolean;
  count: number;
  firstBad: number | null;
}

interface V5Row {
  id: number;
  ts: unknown;
  agent: unknown;
  kind: unknown;
  run: unknown;
  body: unknown;
  prev_hash: unknown;
  hash: unknown;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isOptStr = (v: unknown): v is string | null => v === null || isStr(v);

/** Schema 5's chain walk (frozen here): ids contiguous from 1, prev_hash = the previous hash, hash = sha256(prev_hash || event). */
function verifyV5(rows: Iterable<V5Row>): Verdict {
  let expected = 1;
  let prev = GENESIS_HASH;
  for (const r of rows) {
    const bad = (firstBad: number): Verdict => ({ ok: false, count: expected - 1, firstBad });
    if (r.id !== expected) return bad(expected);
    if (r.prev_hash !== prev) return bad(r.id);
    if (!(isStr(r.ts) && isOptStr(r.agent) && isStr(r.kind) && isOptStr(r.run) && isStr(r.body) && isStr(r.hash))) return bad(r.id);
    if (eventHash(prev, { id: r.id, ts: r.ts, agent: r.agent, kind: r.kind, run: r.run, body: r.body }) !== r.hash) return bad(r.id);
    prev = r.hash;
    expected++;
  }
  return { ok: true, count: expected - 1, firstBad: null };
}

const say = (v: Verdict): string => (v.ok ? `intact, ${v.count} events` : `broken at event ${String(v.firstBad)}`);

export function up(db: Database.Database): void {
  const count = (): number => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  const rowsBefore = count();
  const before = verifyV5(db.prepare('SELECT id, ts, agent, kind, run, body, prev_hash, hash FROM events ORDER BY id').iterate() as IterableIterator<V5Row>);
  try {
    db.exec(REBUILD);
  } catch (err) {
    // Only a file edited outside Paddock holds values schema 5 refused (wrong types in a rebuilt table).
    const why = err instanceof Error ? err.message : String(err);
    throw new PaddockError(
      'E_STORE',
      `The event log in ${db.name} cannot be converted to schema 6 (${why}; before conversion the chain was ${say(before)}): nothing was changed. The file was edited outside Paddock: keep a copy as evidence, then move it aside or use another --data-dir.`,
    );
  }
  const after = verifyChain(db.prepare('SELECT id, ts, agent, kind, run, body, hash FROM events ORDER BY id').iterate() as IterableIterator<V5Row>);
  const rowsAfter = count();
  // Threat: a conversion that loses events or evidence (an edit that verified as bad before must still).
  if (rowsAfter !== rowsBefore || after.ok !== before.ok || after.firstBad !== before.firstBad || (before.ok && after.count !== before.count))
    throw new PaddockError(
      'E_INTERNAL',
      `Converting the event log in ${db.name} to schema 6 would change what log verify reports (before: ${say(before)}, ${rowsBefore} rows; after: ${say(after)}, ${rowsAfter} rows): nothing was changed. Please report this bug; the previous Paddock version still reads the file.`,
    );
}

export const migration006 = { version: 6, up };
