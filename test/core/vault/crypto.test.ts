import { describe, expect, it } from 'vitest';
import { aad, newKey, open, seal, unwrapKey, wrapKey } from '../../../src/core/vault/crypto.js';
import { DEFAULT_KDF, deriveKey, formatKdfParams, parseKdfParams } from '../../../src/core/vault/kdf.js';

describe('AES-256-GCM sealing', () => {
  const key = newKey();
  const value = Buffer.from('s3cr3t-value');

  it('round-trips with the same key and context, with a fresh nonce per write', () => {
    const a = seal(key, value, aad('t', 'agent', 'NAME'));
    const b = seal(key, value, aad('t', 'agent', 'NAME'));
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.includes(value)).toBe(false);
    expect(open(key, a, aad('t', 'agent', 'NAME'))?.toString()).toBe('s3cr3t-value');
  });

  it('refuses another context (agent or name), another key, or a flipped bit', () => {
    const s = seal(key, value, aad('t', 'agent', 'NAME'));
    expect(open(key, s, aad('t', 'other', 'NAME'))).toBeNull();
    expect(open(key, s, aad('t', 'agent', 'NAME2'))).toBeNull();
    expect(open(newKey(), s, aad('t', 'agent', 'NAME'))).toBeNull();
    const bad = Buffer.from(s.ciphertext);
    bad[0] = bad[0]! ^ 1;
    expect(open(key, { nonce: s.nonce, ciphertext: bad }, aad('t', 'agent', 'NAME'))).toBeNull();
    expect(open(key, { nonce: s.nonce.subarray(1), ciphertext: s.ciphertext }, aad('t', 'agent', 'NAME'))).toBeNull();
  });

  it('fields cannot run together in the associated data', () => {
    expect(aad('t', 'ab', 'c').equals(aad('t', 'a', 'bc'))).toBe(false);
  });

  it('wraps a key so that only the wrapping key and context unwrap it', () => {
    const kek = newKey();
    const k = newKey();
    const blob = wrapKey(kek, k, aad('w', 'agent'));
    expect(blob.includes(k)).toBe(false);
    expect(unwrapKey(kek, blob, aad('w', 'agent'))?.equals(k)).toBe(true);
    expect(unwrapKey(kek, blob, aad('w', 'other'))).toBeNull();
    expect(unwrapKey(newKey(), blob, aad('w', 'agent'))).toBeNull();
    expect(unwrapKey(kek, blob.subarray(1), aad('w', 'agent'))).toBeNull();
  });
});

describe('passphrase KDF', () => {
  it('derives the same key for the same passphrase and salt, another for another passphrase', async () => {
    const salt = Buffer.alloc(16, 7);
    const a = await deriveKey('correct horse', salt, DEFAULT_KDF);
    const b = await deriveKey('correct horse', salt, DEFAULT_KDF);
    const c = await deriveKey('correct horsf', salt, DEFAULT_KDF);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(a.length).toBe(32);
  });

  it('refuses stored parameters below the default work factor or absurdly high', () => {
    expect(parseKdfParams(formatKdfParams(DEFAULT_KDF))).toEqual(DEFAULT_KDF);
    expect(parseKdfParams(formatKdfParams({ N: 1024, r: 8, p: 1 }))).toBeNull();
    expect(parseKdfParams(formatKdfParams({ N: 2 ** 30, r: 8, p: 1 }))).toBeNull();
    expect(parseKdfParams(formatKdfParams({ N: 2 ** 15 + 1, r: 8, p: 1 }))).toBeNull();
    expect(parseKdfParams(Buffer.from('not json'))).toBeNull();
    expect(parseKdfParams(null)).toBeNull();
  });
});
