import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM: 32-byte keys, 12-byte nonces, 16-byte tags. */
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** A sealed value: the nonce and the ciphertext with its tag appended. */
export interface Sealed {
  nonce: Buffer;
  ciphertext: Buffer;
}

/** A fresh random key. The caller zeroes it when done. */
export function newKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Overwrites buffers holding keys or plaintext (threat: secrets lingering in memory dumps / crash output). */
export function zero(...bufs: (Buffer | Uint8Array | null | undefined)[]): void {
  for (const b of bufs) b?.fill(0);
}

/**
 * Encrypts with AES-256-GCM under a random 12-byte nonce (never reused: a fresh one per write).
 * `aad` is authenticated, not encrypted: it binds the ciphertext to its context (agent, name).
 */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  c.setAAD(aad);
  const ciphertext = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  return { nonce, ciphertext };
}

/** Decrypts a sealed value; null when the key, the context (aad) or the bytes do not match. */
export function open(key: Buffer, sealed: Sealed, aad: Buffer): Buffer | null {
  const { nonce, ciphertext } = sealed;
  if (nonce.length !== NONCE_BYTES || ciphertext.length < TAG_BYTES || key.length !== KEY_BYTES) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    d.setAAD(aad);
    d.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
    const head = d.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES));
    try {
      const tail = d.final();
      const out = Buffer.concat([head, tail]);
      zero(head, tail);
      return out;
    } catch {
      // Threat: releasing unauthenticated plaintext of a forged or moved ciphertext.
      zero(head);
      return null;
    }
  } catch {
    return null;
  }
}

/** Wraps a key as one blob: version byte, nonce, ciphertext + tag. */
export function wrapKey(kek: Buffer, key: Buffer, aad: Buffer): Buffer {
  const s = seal(kek, key, aad);
  return Buffer.concat([Buffer.from([1]), s.nonce, s.ciphertext]);
}

/** Unwraps a blob made by wrapKey; null when the wrapping key or the context is wrong. */
export function unwrapKey(kek: Buffer, blob: Buffer, aad: Buffer): Buffer | null {
  if (blob.length !== 1 + NONCE_BYTES + KEY_BYTES + TAG_BYTES || blob[0] !== 1) return null;
  const key = open(kek, { nonce: blob.subarray(1, 1 + NONCE_BYTES), ciphertext: blob.subarray(1 + NONCE_BYTES) }, aad);
  if (key && key.length !== KEY_BYTES) {
    zero(key);
    return null;
  }
  return key;
}

/** Associated data: labelled, NUL-separated fields (names cannot contain NUL, so fields cannot run together). */
export function aad(label: string, ...fields: string[]): Buffer {
  return Buffer.from([label, ...fields].join('\0'), 'utf8');
}
