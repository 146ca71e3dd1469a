import { randomBytes, scrypt } from 'node:crypto';
import { KEY_BYTES } from './crypto.js';

/** scrypt parameters kept next to the salt, so they can be raised later without breaking old vaults. */
export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

/** 2^15 × r=8: ~32 MiB and ~100 ms per guess (threat: offline guessing of a stolen database). */
export const DEFAULT_KDF: KdfParams = { N: 2 ** 15, r: 8, p: 1 };

/** A fresh 16-byte salt. */
export function newSalt(): Buffer {
  return randomBytes(16);
}

/**
 * Parses stored parameters, refusing values below the default or absurdly high (threat: a tampered
 * database lowering the work factor for the next write, or setting it so high that unlocking hangs).
 */
export function parseKdfParams(raw: Buffer | null): KdfParams | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw.toString('utf8')) as Partial<KdfParams>;
    const { N, r, p } = v;
    if (typeof N !== 'number' || typeof r !== 'number' || typeof p !== 'number') return null;
    if (!Number.isInteger(Math.log2(N)) || N < DEFAULT_KDF.N || N > 2 ** 20) return null;
    if (r !== 8 || !Number.isInteger(p) || p < 1 || p > 4) return null;
    return { N, r, p };
  } catch {
    return null;
  }
}

/** Serialises parameters for vault_meta. */
export function formatKdfParams(p: KdfParams): Buffer {
  return Buffer.from(JSON.stringify(p), 'utf8');
}

/** Derives the 32-byte key-encryption key from a passphrase. */
export function deriveKey(passphrase: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = 256 * params.N * params.r * params.p + 16 * 1024 * 1024;
    scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
