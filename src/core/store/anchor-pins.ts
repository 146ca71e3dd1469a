import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, realpathSync, writeSync } from 'node:fs';
import path from 'node:path';
import { keychainSecret, type KeychainSecret } from '../keychain/index.js';
import type { AnchorPin } from './log-anchor.js';

/** Where a log's K0 is pinned: the OS keychain, or (no keychain) a file beside the database. */
export type PinPlace = 'keychain' | 'file';

/** A pin read back: found (and where), absent, or unknowable because the keychain is unreachable. */
export type PinLookup = { pin: AnchorPin; place: PinPlace } | { missing: true } | { unreachable: string };

/** Keeps the anchor's K0 outside the database, and which log a database file was last anchored with. */
export interface AnchorPins {
  /** Pins K0 for a new log. Returns where it went, or null (nowhere: the log stays unsealed). */
  create(logId: string, pin: AnchorPin): PinPlace | null;
  /** Records, once the anchor row is in, that this database file is anchored by `logId`; `fresh` when it had no events. */
  remember(logId: string, fresh: boolean): void;
  read(logId: string): PinLookup;
  /** The log id the keychain remembers for this database file (null: none, or no keychain). */
  indexed(): string | null;
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);

function encode(p: AnchorPin): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, key: p.key.toString('hex'), start: p.start }), 'utf8');
}

function decode(b: Buffer | null): AnchorPin | null {
  if (!b) return null;
  try {
    const v = JSON.parse(b.toString('utf8')) as { v?: unknown; key?: unknown; start?: unknown };
    if (v.v !== 1 || typeof v.key !== 'string' || !/^[0-9a-f]{64}$/.test(v.key) || !Number.isSafeInteger(v.start)) return null;
    return { key: Buffer.from(v.key, 'hex'), start: v.start as number };
  } catch {
    return null;
  }
}

/**
 * The default pins: the OS keychain (the same pinned Secret Service / Keychain as the vault), else a
 * 0600 file `log-anchor-<id>.key` beside the database. The file only stops someone who edits the
 * database alone; the keychain stops anyone who cannot read the keychain (see docs/SECURITY.md).
 */
export function keychainAnchorPins(dbPath: string, keychain: (account: string) => KeychainSecret = keychainSecret): AnchorPins {
  const dir = path.dirname(path.resolve(dbPath));
  const file = (logId: string): string => path.join(dir, `log-anchor-${logId}.key`);
  const indexAccount = (): string => {
    let real = path.resolve(dbPath);
    try {
      real = realpathSync(real);
    } catch {
      // Not created yet: the resolved path names it.
    }
    return `log-index-${createHash('sha256').update(real).digest('hex').slice(0, 32)}`;
  };
  return {
    create(logId, pin) {
      try {
        const entry = keychain(`log-anchor-${logId}`);
        entry.set(encode(pin));
        const back = decode(entry.get());
        if (!back || !back.key.equals(pin.key)) throw new Error('the keychain did not return the key it was given');
        return 'keychain';
      } catch {
        // No keychain: logging must not stop (nor prompt); the file pin detects only naive edits.
      }
      try {
        const fd = openSync(file(logId), 'wx', 0o600);
        try {
          writeSync(fd, encode(pin));
        } finally {
          closeSync(fd);
        }
        return 'file';
      } catch {
        return null;
      }
    },
    remember(logId, fresh) {
      try {
        const idx = keychain(indexAccount());
        // Threat: the anchor row deleted from the database to start a new anchor over rewritten events.
        // An existing index is kept (verify then reports the replaced anchor) unless the log was empty.
        if (fresh || idx.get() === null) idx.set(Buffer.from(logId, 'utf8'));
      } catch {
        // No keychain: no index (the file pin is the degraded mode).
      }
    },
    read(logId) {
      let unreachable: string | null = null;
      try {
        const pin = decode(keychain(`log-anchor-${logId}`).get());
        if (pin) return { pin, place: 'keychain' };
      } catch (e) {
        unreachable = firstLine(e);
      }
      try {
        const pin = decode(readFileSync(file(logId)));
        if (pin) return { pin, place: 'file' };
      } catch {
        // No file pin either.
      }
      return unreachable !== null ? { unreachable } : { missing: true };
    },
    indexed() {
      try {
        return keychain(indexAccount()).get()?.toString('utf8') ?? null;
      } catch {
        return null;
      }
    },
  };
}
