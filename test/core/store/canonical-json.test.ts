import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonWithout } from '../../../src/core/store/canonical-json.js';
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

describe('canonicalJsonWithout (the append path)', () => {
  it('gives canonicalJson of the object without the skipped keys, and the members as stored', () => {
    const skip = new Set(['id', 'kind']);
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const rest = Object.fromEntries(Object.entries(obj).filter(([k]) => !skip.has(k)));
        const into: Record<string, unknown> = {};
        const text = canonicalJsonWithout(obj, skip, into);
        expect(text).toBe(canonicalJson(rest));
        expect(into).toEqual(JSON.parse(text));
      }),
    );
    // Key lists that join to the same text with NUL never share a cached order.
    expect(canonicalJsonWithout({ 'a\u0000b': 1, c: 2 }, skip)).toBe('{"a\\u0000b":1,"c":2}');
    expect(canonicalJsonWithout({ a: 1, 'b\u0000c': 2 }, skip)).toBe('{"a":1,"b\\u0000c":2}');
    const odd = { n: -0, x: NaN, d: new Date(0), argv: ['a', 'b'] };
    const into: Record<string, unknown> = {};
    expect(canonicalJsonWithout(odd, skip, into)).toBe('{"argv":["a","b"],"d":"1970-01-01T00:00:00.000Z","n":0,"x":null}');
    expect(into).toEqual({ argv: ['a', 'b'], d: '1970-01-01T00:00:00.000Z', n: 0, x: null });
    expect(into.argv).not.toBe(odd.argv);
  });

  it('keeps a member named __proto__ as an own property', () => {
    const into: Record<string, unknown> = {};
    canonicalJsonWithout(JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>, new Set(), into);
    expect(Object.getPrototypeOf(into)).toBe(Object.prototype);
    expect(Object.hasOwn(into, '__proto__')).toBe(true);
  });
});
