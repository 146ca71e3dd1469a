import * as nodeCrypto from 'node:crypto';

/** The previous hash of the first event: 64 zeros (hex). */
export const GENESIS_HASH = '0'.repeat(64);

/** Bytes of a stored event hash (the events table keeps them as a BLOB since migration 6). */
export const HASH_BYTES = 32;

type OneShot = (algorithm: string, data: string, encoding: 'hex') => string;
/** crypto.hash (Node ≥ 20.12, Electron's Node too): one call, no Hash object per event. */
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

/** hex(sha256(utf8(text))). */
export const sha256Hex: (text: string) => string =
  typeof oneShot === 'function' ? (text) => oneShot('sha256', text, 'hex') : (text) => nodeCrypto.createHash('sha256').update(text).digest('hex');

/** The hashed columns of one stored event; `body` is its canonical JSON text as stored. */
export interface ChainRow {
  id: number;
  ts: string;
  agent: string | null;
  kind: string;
  run: string | null;
  body: string;
}

/**
 * The canonical text of an event: `canonicalJson({agent, body, id, kind, run, ts})` with `body`
 * being the stored body text (itself canonical JSON), embedded verbatim so any change to the
 * stored bytes changes the hash. Keys are in sorted order.
 */
export function canonicalEventText(r: ChainRow): string {
  return `{"agent":${JSON.stringify(r.agent)},"body":${r.body},"id":${r.id},"kind":${JSON.stringify(r.kind)},"run":${JSON.stringify(r.run)},"ts":${JSON.stringify(r.ts)}}`;
}

/**
 * canonicalEventText of a row the store has just validated (agent a name or null, kind a known kind,
 * ts an ISO 8601 timestamp: none needs escaping): the same bytes with fewer JSON.stringify calls,
 * for the append path. Rows read back from the file always go through canonicalEventText.
 */
export function validatedEventText(r: ChainRow): string {
  return `{"agent":${r.agent === null ? 'null' : `"${r.agent}"`},"body":${r.body},"id":${r.id},"kind":"${r.kind}","run":${r.run === null ? 'null' : JSON.stringify(r.run)},"ts":"${r.ts}"}`;
}

/** eventHash of a row the store has just validated (see validatedEventText). */
export function validatedEventHash(prevHash: string, r: ChainRow): string {
  return sha256Hex(prevHash + validatedEventText(r));
}

/**
 * `hash = hex(sha256(prev_hash_hex || canonicalEventText(row)))`: the previous event's hash enters as
 * its 64 hex characters, as it always has; only its storage changed (32 bytes, see HASH_BYTES).
 */
export function eventHash(prevHash: string, r: ChainRow): string {
  return sha256Hex(prevHash + canonicalEventText(r));
}

/** The result of walking the chain. */
export interface VerifyResult {
  ok: boolean;
  /** Events checked (all of them when ok). */
  count: number;
  /** The first bad event's id, or null. */
  firstBad: number | null;
  message: string;
  /** Where the key anchoring the log is pinned (null: not anchored). */
  anchor?: 'keychain' | 'file' | null;
}

/** The newest event's id and hash (id 0 and the genesis hash for an empty log), to anchor elsewhere. */
export interface ChainHead {
  id: number;
  hash: string;
}

export interface RawRow {
  id: unknown;
  ts: unknown;
  agent: unknown;
  kind: unknown;
  run: unknown;
  body: unknown;
  /** The stored hash: 32 bytes (a Buffer). */
  hash: unknown;
  seal?: unknown;
}

/** Checks each event's anchor seal once its hash is known good (see SealWalk). */
export interface SealStep {
  step(id: number, hash: string, seal: unknown): { firstBad: number; message: string } | null;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isOptStr = (v: unknown): v is string | null => v === null || typeof v === 'string';

/**
 * Walks rows in id order, one at a time, and reports the first break: a missing id (deleted
 * event), or a stored hash that is not sha256(previous stored hash || this event), which covers
 * both a changed event and a changed or removed one before it (its successor no longer chains to
 * it). Removal of the newest events cannot be seen from inside the file: compare head() with an
 * anchor kept elsewhere for that. Fed by verifyChain (a stream) or in chunks (verifyLogChunked).
 */
export class ChainWalk {
  private expectedId = 1;
  private prev = GENESIS_HASH;
  private count = 0;

  constructor(private readonly seals?: SealStep) {}

  /** Checks the next row; the failure, or null when it chains. */
  step(r: RawRow): VerifyResult | null {
    const { count } = this;
    const id = typeof r.id === 'bigint' ? Number(r.id) : (r.id as number);
    if (id !== this.expectedId) {
      const why = this.expectedId === 1 ? `the log starts at event ${id} (the oldest events were removed)` : `the log jumps from event ${this.expectedId - 1} to event ${id} (an event was removed)`;
      return { ok: false, count, firstBad: this.expectedId, message: `event ${this.expectedId}: missing — ${why}` };
    }
    // Threat: a hash column rewritten with another type or length (hex text, a truncated or padded
    // BLOB) to make a comparison pass that should not: only exactly 32 bytes can match.
    if (!Buffer.isBuffer(r.hash) || r.hash.length !== HASH_BYTES)
      return { ok: false, count, firstBad: id, message: `event ${id}: hash mismatch (its stored hash is not ${HASH_BYTES} bytes: the event was modified)` };
    const shaped = isStr(r.ts) && isOptStr(r.agent) && isStr(r.kind) && isOptStr(r.run) && isStr(r.body);
    const hash = shaped ? eventHash(this.prev, { id, ts: r.ts as string, agent: r.agent as string | null, kind: r.kind as string, run: r.run as string | null, body: r.body as string }) : '';
    if (!shaped || r.hash.toString('hex') !== hash) {
      const cause = id === 1 ? 'the event was modified' : 'the event was modified, or one before it was changed or removed and the hashes recomputed';
      return { ok: false, count, firstBad: id, message: `event ${id}: hash mismatch (${cause})` };
    }
    const fault = this.seals?.step(id, hash, r.seal ?? null);
    if (fault) return { ok: false, count, ...fault };
    this.prev = hash;
    this.expectedId = id + 1;
    this.count++;
    return null;
  }

  /** The result once every row was fed without a break. */
  done(): VerifyResult {
    const { count, prev } = this;
    return {
      ok: true,
      count,
      firstBad: null,
      message:
        count === 0
          ? 'the log is empty'
          : `${count} events, chain intact up to event ${count} (hash ${prev.slice(0, 16)}…); removal of the newest events can only be detected against an anchor kept elsewhere`,
    };
  }
}

/** Walks a stream of rows in id order (never all in memory): see ChainWalk. */
export function verifyChain(rows: Iterable<RawRow>, seals?: SealStep): VerifyResult {
  const walk = new ChainWalk(seals);
  for (const r of rows) {
    const bad = walk.step(r);
    if (bad) return bad;
  }
  return walk.done();
}
