import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { PaddockError } from '../../shared/errors.js';
import { EVENT_KINDS } from '../../shared/event-kinds.js';
import type { NewEvent, PaddockEvent } from '../../shared/events.schema.js';
import { AGENT_NAME_RE } from '../../shared/names.js';
import { canonicalJsonWithout } from './canonical-json.js';
import type { AnchorPins } from './anchor-pins.js';
import { GENESIS_HASH, validatedEventHash, type ChainHead, type ChainRow, type VerifyResult } from './event-chain.js';
import { evolveKey, sealOf } from './log-anchor.js';
import { verifyLog, verifyLogChunked, type AnchorRow } from './log-verify.js';

/** Filters for reading the log. */
export interface EventQuery {
  /** One agent's events; `null` selects Paddock's own events (no agent). */
  agent?: string | null;
  /** One run's events (with `agent`, the agent's index is scanned and rows filtered by run). */
  run?: string;
  /** Kind prefix: `net.` selects net.allow/net.deny/net.ask; an exact kind selects that kind. */
  kindPrefix?: string;
  /** Only events with id > afterId (for following the log). */
  afterId?: number;
  /** Only events with id < beforeId (for paging back). */
  beforeId?: number;
  /** At most this many events (default 1000, at most 100 000). */
  limit?: number;
  /** `desc` (default): newest first, so the limit keeps the latest; `asc`: oldest first. */
  order?: 'asc' | 'desc';
}

const KNOWN_KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);
const RESERVED = new Set(['id', 'ts', 'agent', 'kind', 'run']);
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** Threat: a flood of huge events (giant argv, paths) filling the disk through the log. */
export const MAX_EVENT_BODY = 1 << 20;
const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 100_000;

/** A stored event's columns (the hashed ones: see ChainRow). */
type Row = ChainRow;

function invalid(msg: string): PaddockError {
  return new PaddockError('E_INVALID_INPUT', msg);
}

/** Sets an own property even for the key `__proto__` (threat: a body key swapping the object's prototype). */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function toEvent(r: Row): PaddockEvent {
  const ev: Record<string, unknown> = { id: r.id, ts: r.ts, agent: r.agent, kind: r.kind, run: r.run };
  const body = JSON.parse(r.body) as Record<string, unknown>;
  for (const k of Object.keys(body)) if (!RESERVED.has(k)) setOwn(ev, k, body[k]);
  return ev as PaddockEvent;
}

/** A row being appended, with the event it returns (built with its body, see canonicalJsonWithout). */
interface NewRow extends ChainRow {
  event: Record<string, unknown>;
}

/** A stored hash as hex (anything but a BLOB, only in a file edited outside Paddock, as its text: verify reports it). */
const hexOf = (h: unknown): string => (Buffer.isBuffer(h) ? h.toString('hex') : String(h));

function checkId(v: number | undefined, what: string): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw invalid(`${what} must be a non-negative integer.`);
}

/** The append-only, hash-chained activity log (the only code that touches the events table). */
export class EventsRepo {
  private readonly stmts = new Map<string, Database.Statement>();
  private readonly insertStmt: Database.Statement;
  private readonly headStmt: Database.Statement<[], { id: number; hash: Buffer }>;
  private readonly writeBatch: Database.Transaction<(rows: NewRow[]) => void>;
  private readonly anchorStmt: Database.Statement<[], AnchorRow>;
  private readonly sealStmt: Database.Statement;
  /** The anchor is in (committed) for this connection. */
  private anchorDone = false;
  /** Pinning failed in this process (no keychain, no writable data dir): the log stays unsealed, never blocked. */
  private pinFailed = false;
  /** A pinned key whose anchor row is not committed yet (written inside a caller's transaction). */
  private pending: { logId: string; key: Buffer; start: number; fresh: boolean } | null = null;

  /** `pins` keeps the anchor key outside the database; null writes an unanchored log (tests of the chain alone). */
  constructor(
    private readonly db: Database.Database,
    private readonly clock: () => Date,
    private readonly pins: AnchorPins | null = null,
  ) {
    this.insertStmt = db.prepare('INSERT INTO events (id, ts, agent, kind, run, body, hash, seal) VALUES (?, ?, ?, ?, ?, ?, unhex(?), ?)');
    this.headStmt = db.prepare('SELECT id, hash FROM events ORDER BY id DESC LIMIT 1');
    this.anchorStmt = db.prepare('SELECT log_id, start, epoch, key, last_id, last_hash, last_seal FROM log_anchor WHERE id = 1');
    this.sealStmt = db.prepare('UPDATE log_anchor SET epoch = ?, key = ?, last_id = ?, last_hash = ?, last_seal = ? WHERE id = 1');
    this.writeBatch = db.transaction((rows: NewRow[]) => {
      // The head is read inside the write transaction, so two writers (host + CLI) never fork the chain.
      const head = this.headStmt.get();
      const anchor = this.anchorStmt.get();
      let id = head?.id ?? 0;
      let prev = head === undefined ? GENESIS_HASH : hexOf(head.hash);
      const last = rows.length - 1;
      for (let i = 0; i <= last; i++) {
        const row = rows[i]!;
        row.id = ++id;
        row.event.id = id;
        const hash = validatedEventHash(prev, row);
        // Threat: a rewrite of the log by anyone who can write the file. One seal per batch (its last
        // event) with the current key, which is then replaced by the next one (see log-anchor.ts).
        const seal = anchor !== undefined && i === last ? sealOf(anchor.key, id, hash) : null;
        // The previous hash is not stored: it is the previous row's, and it is inside this one's hash.
        // The hash goes in as hex and is stored as 32 bytes by unhex() (no Buffer per event).
        this.insertStmt.run(id, row.ts, row.agent, row.kind, row.run, row.body, hash, seal);
        if (seal !== null) this.sealStmt.run(anchor!.epoch + 1, evolveKey(anchor!.key), id, hash, seal);
        prev = hash;
      }
    });
  }

  /**
   * Anchors the log on its first append in this process if it is not yet: a fresh key is pinned
   * outside the database (keychain, else a file) and the anchor row written. Never blocks logging:
   * when nothing can be pinned the log stays unsealed (and `log verify` says so). Inside a caller's
   * transaction the row may still be rolled back, so the pin is kept and reused until it commits.
   */
  /** Anchors the log now if it is not yet (a host calls it at start, so its first event is not delayed). */
  anchor(): void {
    this.ensureAnchor();
  }

  private ensureAnchor(): void {
    if (this.pins === null || this.anchorDone) return;
    const outer = this.db.inTransaction;
    const row = this.anchorStmt.get();
    if (row !== undefined) {
      if (outer) return;
      if (this.pending?.logId === row.log_id) this.pins.remember(row.log_id, this.pending.fresh);
      this.pending = null;
      this.anchorDone = true;
      return;
    }
    const latest = this.latestId();
    if (this.pending === null || this.pending.start !== latest + 1) {
      if (this.pinFailed) return;
      const p = { logId: randomBytes(16).toString('hex'), key: randomBytes(32), start: latest + 1, fresh: latest === 0 };
      // The keychain is touched here, once per log (threat and guarantee: docs/SECURITY.md).
      if (this.pins.create(p.logId, p) === null) {
        this.pinFailed = true;
        return;
      }
      this.pending = p;
    }
    const p = this.pending;
    const won = this.db
      .transaction(() => {
        // Another writer anchored (or appended) meanwhile: its anchor stands, ours is dropped.
        if (this.anchorStmt.get() !== undefined || this.latestId() !== latest) return false;
        this.db.prepare("INSERT INTO log_anchor (id, log_id, start, epoch, key, last_id, last_hash, last_seal) VALUES (1, ?, ?, 0, ?, 0, '', NULL)").run(p.logId, p.start, p.key);
        return true;
      })
      .immediate();
    if (won && !outer) {
      this.pins.remember(p.logId, p.fresh);
      this.pending = null;
      this.anchorDone = true;
    }
  }

  /** A validated row for `e` (its id is assigned in the write transaction). */
  private normalise(e: NewEvent, now: string): NewRow {
    if (typeof e !== 'object' || e === null) throw invalid('An event must be an object.');
    if (!KNOWN_KINDS.has(e.kind)) throw invalid(`Unknown event kind "${String(e.kind)}": use one of ${EVENT_KINDS.join(', ')}.`);
    if (e.agent !== null && (typeof e.agent !== 'string' || !AGENT_NAME_RE.test(e.agent)))
      throw invalid(`Event agent "${String(e.agent)}" is not a valid agent name (use null for Paddock's own events).`);
    const run = e.run ?? null;
    if (run !== null && typeof run !== 'string') throw invalid('Event run must be a string or null.');
    let ts = now;
    if (e.ts !== undefined) {
      if (typeof e.ts !== 'string' || !ISO_RE.test(e.ts) || Number.isNaN(Date.parse(e.ts))) throw invalid(`Event ts "${String(e.ts)}" is not an ISO 8601 timestamp.`);
      ts = e.ts;
    }
    // The returned event, as stored: the columns first, then the body's members in stored order.
    const event: Record<string, unknown> = { id: 0, ts, agent: e.agent, kind: e.kind, run };
    const body = canonicalJsonWithout(e as unknown as Record<string, unknown>, RESERVED, event);
    if (body.length > MAX_EVENT_BODY) throw invalid(`An event of kind ${e.kind} is larger than ${MAX_EVENT_BODY} bytes: shorten its fields.`);
    return { id: 0, ts, agent: e.agent, kind: e.kind, run, body, event };
  }

  /** Appends one event: assigns its id and timestamp, chains its hash, returns it as stored. */
  append(e: NewEvent): PaddockEvent {
    return this.appendMany([e])[0]!;
  }

  /** Appends several events in one transaction (the fast path for bursts); all or none are written. */
  appendMany(events: readonly NewEvent[]): PaddockEvent[] {
    if (events.length === 0) return [];
    const now = this.clock().toISOString();
    const rows = events.map((e) => this.normalise(e, now));
    this.ensureAnchor();
    this.writeBatch.immediate(rows);
    return rows.map((r) => r.event as PaddockEvent);
  }

  private prepared(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** The SQL (and parameters) for one query, split per kind so each part is an index range scan. */
  private plans(q: EventQuery): { sql: string; params: unknown[] }[] {
    checkId(q.afterId, 'afterId');
    checkId(q.beforeId, 'beforeId');
    const limit = q.limit ?? DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) throw invalid('limit must be a positive integer.');
    const order = q.order ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw invalid('order must be asc or desc.');
    let kinds: (string | undefined)[] = [undefined];
    if (q.kindPrefix !== undefined && q.kindPrefix !== '') {
      const prefix = q.kindPrefix;
      kinds = EVENT_KINDS.filter((k) => k.startsWith(prefix));
      if (kinds.length === 0) return [];
    }
    return kinds.map((kind) => {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, ...values: unknown[]): void => {
        where.push(clause);
        params.push(...values);
      };
      if (q.agent === null) add('agent IS NULL');
      else if (q.agent !== undefined) add('agent = ?', q.agent);
      if (kind !== undefined) add('kind = ?', kind);
      if (q.run !== undefined) add('run = ?', q.run);
      if (q.afterId !== undefined) add('id > ?', q.afterId);
      if (q.beforeId !== undefined) add('id < ?', q.beforeId);
      params.push(Math.min(limit, MAX_LIMIT));
      const sql = `SELECT id, ts, agent, kind, run, body FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order === 'asc' ? 'ASC' : 'DESC'} LIMIT ?`;
      return { sql, params };
    });
  }

  /** Reads events matching `q` (newest first unless `order: 'asc'`), kind fields at the top level. */
  query(q: EventQuery = {}): PaddockEvent[] {
    const parts = this.plans(q);
    const rows = parts.flatMap((p) => this.prepared(p.sql).all(...p.params) as Row[]);
    if (parts.length > 1) {
      const dir = q.order === 'asc' ? 1 : -1;
      rows.sort((a, b) => dir * (a.id - b.id));
      rows.length = Math.min(rows.length, q.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    }
    return rows.map(toEvent);
  }

  /** SQLite's query plan for `q` (one line per step), to check that reads stay index scans. */
  plan(q: EventQuery = {}): string[] {
    return this.plans(q).flatMap((p) =>
      (this.db.prepare(`EXPLAIN QUERY PLAN ${p.sql}`).all(...p.params) as { detail: string }[]).map((r) => r.detail),
    );
  }

  /** Streams every event after `afterId` in id order (for export), without loading them all. */
  *iterate(afterId = 0): IterableIterator<PaddockEvent> {
    checkId(afterId, 'afterId');
    for (const r of this.db.prepare('SELECT id, ts, agent, kind, run, body FROM events WHERE id > ? ORDER BY id').iterate(afterId) as IterableIterator<Row>)
      yield toEvent(r);
  }

  /** The newest event's id (0 when the log is empty). */
  latestId(): number {
    return this.headStmt.get()?.id ?? 0;
  }

  /** The chain head: the newest id and its hash, for anchoring outside the database. */
  head(): ChainHead {
    const h = this.headStmt.get();
    return h ? { id: h.id, hash: hexOf(h.hash) } : { id: 0, hash: GENESIS_HASH };
  }

  /**
   * Walks the whole chain (streamed) and reports the first event that was modified, removed
   * (an id gap), reordered or cut from the end, checking the anchor seals against the key pinned
   * outside the database; also flags removed append-only triggers.
   */
  verify(): VerifyResult {
    return verifyLog(this.db, this.pins, this.anchorStmt.get() ?? null, this.latestId());
  }

  /** verify() in chunks, yielding with `pause` between them (a host that keeps serving meanwhile). */
  verifyChunked(pause: () => Promise<void> = () => new Promise((r) => setImmediate(r))): Promise<VerifyResult> {
    return verifyLogChunked(this.db, this.pins, this.anchorStmt.get() ?? null, this.latestId(), pause);
  }
}
