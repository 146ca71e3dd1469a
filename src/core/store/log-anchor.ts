import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The log's anchor: a forward-secure MAC over the chain head, kept so that rewriting the log needs
 * a key that is no longer on disk (Schneier–Kelsey style key evolution).
 *
 * - A random key K0 is made when the log is first anchored; it is pinned outside the database (the
 *   OS keychain, else a file in the data dir) together with the first event id it covers. That is
 *   the only time the append path touches the keychain.
 * - Each append batch seals its last event with `HMAC(K_e, id:hash)` (e = batches sealed before)
 *   and replaces K_e by `K_{e+1} = HMAC(K_e, const)` in the database, in the same transaction.
 *   The database only ever holds the next key, from which earlier keys cannot be computed.
 * - `log verify` re-derives every key from the pinned K0: a seal that does not match, a state that
 *   does not derive from K0, or fewer seals than the state counts shows a rewrite, a rollback or a
 *   cut tail.
 */

const EVOLVE_LABEL = 'paddock-log-anchor-evolve-v1';

/** The next key: one-way, so holding K_{e+1} gives no way back to K_e. */
export function evolveKey(key: Buffer): Buffer {
  return createHmac('sha256', key).update(EVOLVE_LABEL).digest();
}

/** The seal of a batch ending at event `id` whose chain hash is `hash`. */
export function sealOf(key: Buffer, id: number, hash: string): string {
  return createHmac('sha256', key).update(`paddock-log-seal-v1:${id}:${hash}`).digest('hex');
}

const same = (a: string | Buffer, b: string | Buffer): boolean => {
  const x = Buffer.isBuffer(a) ? a : Buffer.from(a);
  const y = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The anchor row of the database (attacker-writable: trusted only through the pinned key). */
export interface AnchorState {
  logId: string;
  /** First event id covered by seals (earlier ones predate the anchor). */
  start: number;
  /** Batches sealed so far. */
  epoch: number;
  /** K_epoch: the key the next batch will be sealed with. */
  key: Buffer;
  /** The last sealed event (id, hash, seal), 0/''/null before the first batch. */
  lastId: number;
  lastHash: string;
  lastSeal: string | null;
}

/** K0 and the first event it covers, as pinned outside the database. */
export interface AnchorPin {
  key: Buffer;
  start: number;
}

/** A failed anchor check: the first bad event (or the first missing one) and why. */
export interface AnchorFault {
  firstBad: number;
  message: string;
}

/**
 * Checks seals as the chain walk passes each (already hash-checked) event, then the anchor state.
 * Feed every event in id order to step(); call finish() with the newest id.
 */
export class SealWalk {
  private key: Buffer;
  private epoch = 0;
  private batchFrom: number | null = null;
  private lastSealed = 0;

  constructor(private readonly pin: AnchorPin) {
    this.key = Buffer.from(pin.key);
  }

  /** Checks one event; returns a fault or null. */
  step(id: number, hash: string, seal: unknown): AnchorFault | null {
    if (id < this.pin.start) {
      if (seal === null) return null;
      return { firstBad: id, message: `event ${id}: carries a seal but predates the log's anchor (event ${this.pin.start}): the anchor was replaced` };
    }
    this.batchFrom ??= id;
    if (seal === null) return null;
    if (typeof seal !== 'string' || !same(seal, sealOf(this.key, id, hash))) {
      const from = this.batchFrom;
      const span = from === id ? `event ${id}` : `events ${from}..${id}`;
      return {
        firstBad: from,
        message: `event ${from}: does not match the log's anchor seal (${span} were removed, changed or reordered and the hashes recomputed)`,
      };
    }
    this.key = evolveKey(this.key);
    this.epoch++;
    this.batchFrom = null;
    this.lastSealed = id;
    return null;
  }

  /** After the last event: unsealed events at the end, and the anchor state against the pinned key. */
  finish(latestId: number, state: AnchorState): AnchorFault | null {
    const unsealed = this.batchFrom;
    const rolledBack = { firstBad: this.lastSealed + 1, message: `the log's anchor state was rolled back or replaced: events after event ${this.lastSealed} may have been removed` };
    if (state.epoch > this.epoch) {
      // Fewer seals in the log than the state has made: the newest batches were cut. The state's last
      // seal was made with K_{epoch-1}, which only the pinned K0 can give (the state holds K_epoch).
      let k = this.key;
      for (let e = this.epoch; e < state.epoch - 1; e++) k = evolveKey(k);
      const lastOk = state.lastSeal !== null && same(state.lastSeal, sealOf(k, state.lastId, state.lastHash)) && same(evolveKey(k), state.key);
      if (!lastOk || state.lastId <= latestId) return rolledBack;
      const n = state.lastId - latestId;
      return { firstBad: latestId + 1, message: `${n} newest event${n === 1 ? '' : 's'} missing: the log was sealed up to event ${state.lastId} but now ends at event ${latestId}` };
    }
    if (unsealed !== null)
      return { firstBad: unsealed, message: `event ${unsealed}: not sealed by Paddock (events ${unsealed}..${latestId} were added outside Paddock)` };
    if (state.epoch < this.epoch || !same(state.key, this.key) || state.lastId !== this.lastSealed) return rolledBack;
    return null;
  }
}
