import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/core/store/canonical-json.js';
import { PaddockError } from '../../../src/shared/errors.js';

describe('canonicalJson', () => {
  it('sorts keys recursively and drops undefined like JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"z":1}]},"b":1}');
    expect(canonicalJson({ t: new Date(0), n: NaN })).toBe('{"n":null,"t":"1970-01-01T00:00:00.000Z"}');
  });

  it('gives the same text whatever the key insertion order, and round-trips through JSON', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        const text = canonicalJson(obj);
        expect(canonicalJson(reversed)).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it('refuses BigInt and cycles', () => {
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(() => canonicalJson({ n: 1n })).toThrow(PaddockError);
    expect(() => canonicalJson(cyc)).toThrow(PaddockError);
  });
});
