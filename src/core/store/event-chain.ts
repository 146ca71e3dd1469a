import { createHash } from 'node:crypto';

/** prev_hash of the first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

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
  return createHash('sha256').update(prevHash).update(validatedEventText(r)).digest('hex');
}

/** `hash = hex(sha256(prev_hash_hex || canonicalEventText(row)))`. */
export function eventHash(prevHash: string, r: ChainRow): string {
  return createHash('sha256').update(prevHash).update(canonicalEventText(r)).digest('hex');
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

interface RawRow {
  id: unknown;
  ts: unknown;
  agent: unknown;
  kind: unknown;
  run: unknown;
  body: unknown;
  prev_hash: unknown;
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
 * Walks rows in id order (streamed, never all in memory) and reports the first break:
 * a missing id (deleted event), a broken previous-hash link, or a hash that does not match
 * the event's content. Removal of the newest events cannot be seen from inside the file: compare
 * head() with an anchor kept elsewhere for that.
 */
export function verifyChain(rows: Iterable<RawRow>, seals?: SealStep): VerifyResult {
  let expectedId = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  for (const r of rows) {
    const id = typeof r.id === 'bigint' ? Number(r.id) : (r.id as number);
    if (id !== expectedId) {
      const why = expectedId === 1 ? `the log starts at event ${id} (the oldest events were removed)` : `the log jumps from event ${expectedId - 1} to event ${id} (an event was removed)`;
      return { ok: false, count, firstBad: expectedId, message: `event ${expectedId}: missing — ${why}` };
    }
    if (r.prev_hash !== prev)
      return { ok: false, count, firstBad: id, message: `event ${id}: previous-hash link broken (an event before it was removed or changed)` };
    const shaped = isStr(r.ts) && isOptStr(r.agent) && isStr(r.kind) && isOptStr(r.run) && isStr(r.body) && isStr(r.hash);
    if (!shaped || eventHash(prev, { id, ts: r.ts as string, agent: r.agent as string | null, kind: r.kind as string, run: r.run as string | null, body: r.body as string }) !== r.hash)
      return { ok: false, count, firstBad: id, message: `event ${id}: hash mismatch (the event was modified)` };
    const fault = seals?.step(id, r.hash as string, r.seal ?? null);
    if (fault) return { ok: false, count, ...fault };
    prev = r.hash as string;
    expectedId = id + 1;
    count++;
  }
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
