import type Database from 'better-sqlite3';
import type { AnchorPins, PinPlace } from './anchor-pins.js';
import { verifyChain, type VerifyResult } from './event-chain.js';
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
  const fault = pre !== null && !('walk' in pre) ? pre : null;
  const rows = db.prepare('SELECT id, ts, agent, kind, run, body, hash, seal FROM events ORDER BY id').iterate() as IterableIterator<{
    id: unknown; ts: unknown; agent: unknown; kind: unknown; run: unknown; body: unknown; hash: unknown; seal: unknown;
  }>;
  let result: VerifyResult = verifyChain(rows, walk?.walk);
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
