import type Database from 'better-sqlite3';
import type { AnchorPins, PinPlace } from './anchor-pins.js';
import { ChainWalk, verifyChain, type RawRow, type VerifyResult } from './event-chain.js';
import { SealWalk, type AnchorState } from './log-anchor.js';

/** The log_anchor row as stored. */
export interface AnchorRow {
  log_id: string;
  start: number;
  epoch: number;
  key: Buffer;
  last_id: number;
  last_hash: string;
  last_seal: string | null;
}

type Fault = { firstBad: number | null; message: string };

const toState = (r: AnchorRow): AnchorState => ({
  logId: r.log_id,
  start: r.start,
  epoch: r.epoch,
  key: r.key,
  lastId: r.last_id,
  lastHash: r.last_hash,
  lastSeal: r.last_seal,
});

/** The seal walk for this log, or a fault found before walking (anchor removed, replaced, key missing). */
function anchorCheck(db: Database.Database, pins: AnchorPins, row: AnchorRow | null, latest: number): { walk: SealWalk; place: PinPlace } | Fault | null {
  const indexed = pins.indexed();
  if (row === null) {
    const sealed = db.prepare('SELECT id FROM events WHERE seal IS NOT NULL ORDER BY id LIMIT 1').get() as { id: number } | undefined;
    if (sealed || (indexed !== null && latest > 0))
      return { firstBad: null, message: 'the log\'s anchor was removed from the database (the keychain or the seals show it had one): any event may have been changed or removed' };
    return null;
  }
  if (indexed !== null && indexed !== row.log_id)
    return { firstBad: null, message: `the log's anchor was replaced (the keychain knows this database as log ${indexed.slice(0, 8)}…, the file says ${row.log_id.slice(0, 8)}…): any event may have been changed or removed` };
  const look = pins.read(row.log_id);
  if ('unreachable' in look)
    return { firstBad: null, message: `the log's anchor cannot be checked: the OS keychain is not reachable (${look.unreachable}); run paddock log verify where your keychain is available` };
  if ('missing' in look)
    return { firstBad: null, message: 'the key that anchors this log is in neither the OS keychain nor the data dir: the anchor was replaced or the key deleted, so the log cannot be trusted' };
  if (look.pin.start !== row.start)
    return { firstBad: null, message: `the log's anchor was altered (it claims to start at event ${row.start}, its pinned key says ${look.pin.start})` };
  return { walk: new SealWalk(look.pin), place: look.place };
}

function anchorNote(place: PinPlace | null, start: number, count: number): string {
  const pre = start > 1 && count > 0 ? `; events 1..${Math.min(start - 1, count)} predate the anchor (hash chain only)` : '';
  if (place === 'keychain') return `sealed, anchor key pinned in the OS keychain${pre}`;
  if (place === 'file') return `sealed, anchor key pinned in a file in the data dir only (no OS keychain when the log began: this detects edits of the database alone)${pre}`;
  return 'not anchored (no event was appended since the anchor was introduced)';
}

/**
 * Verifies the log: the hash chain, the seals against the key pinned outside the database, the
 * anchor state (a cut tail) and the append-only triggers. `pins` null checks the chain alone.
 */
export function verifyLog(db: Database.Database, pins: AnchorPins | null, row: AnchorRow | null, latest: number): VerifyResult {
  const pre = pins === null ? null : anchorCheck(db, pins, row, latest);
  const walk = pre !== null && 'walk' in pre ? pre : null;
  const rows = db.prepare('SELECT id, ts, agent, kind, run, body, hash, seal FROM events ORDER BY id').iterate() as IterableIterator<RawRow>;
  return conclude(db, pre, verifyChain(rows, walk?.walk), row, latest);
}

/** Rows per chunk of verifyLogChunked (~50 ms of hashing on a slow machine). */
const CHUNK = 10_000;

/**
 * verifyLog in chunks of rows, yielding to the event loop between them, for a host that keeps
 * serving while it verifies. Threat: a long verify (a log of millions of events takes tens of
 * seconds) freezing the engine, so that every agent's proxy decisions and asks stall meanwhile.
 * Checks the events up to `latest`, read with `row` in the same turn: events appended during the
 * walk are not part of it (they are append-only, so what it reads cannot change under it).
 */
export async function verifyLogChunked(db: Database.Database, pins: AnchorPins | null, row: AnchorRow | null, latest: number, pause: () => Promise<void>): Promise<VerifyResult> {
  const pre = pins === null ? null : anchorCheck(db, pins, row, latest);
  const chain = new ChainWalk(pre !== null && 'walk' in pre ? pre.walk : undefined);
  const page = db.prepare('SELECT id, ts, agent, kind, run, body, hash, seal FROM events WHERE id > ? AND id <= ? ORDER BY id LIMIT ?');
  let after = 0;
  for (;;) {
    const rows = page.all(after, latest, CHUNK) as (RawRow & { id: number })[];
    for (const r of rows) {
      const bad = chain.step(r);
      if (bad) return conclude(db, pre, bad, row, latest);
    }
    if (rows.length < CHUNK) break;
    after = rows[rows.length - 1]!.id;
    await pause();
  }
  return conclude(db, pre, chain.done(), row, latest);
}

/** The chain's result, with the anchor's end state, a fault found before walking, and the triggers. */
function conclude(db: Database.Database, pre: ReturnType<typeof anchorCheck>, chained: VerifyResult, row: AnchorRow | null, latest: number): VerifyResult {
  const walk = pre !== null && 'walk' in pre ? pre : null;
  const fault = pre !== null && !('walk' in pre) ? pre : null;
  let result = chained;
  if (result.ok && walk && row) {
    const end = walk.walk.finish(latest, toState(row));
    if (end) result = { ok: false, count: result.count, ...end };
  }
  if (result.ok && fault) result = { ok: false, count: result.count, ...fault };
  if (result.ok) result = { ...result, anchor: walk?.place ?? null, message: result.count === 0 ? result.message : `${result.message.split(';')[0]}; ${anchorNote(walk?.place ?? null, row?.start ?? 1, result.count)}` };
  const triggers = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name IN ('events_no_update', 'events_no_delete')").get() as { n: number };
  if (triggers.n === 2) return result;
  const note = 'the append-only triggers were removed (the database file was edited outside Paddock)';
  return result.ok ? { ...result, ok: false, message: `chain intact, but ${note}` } : { ...result, message: `${result.message}; also ${note}` };
}
