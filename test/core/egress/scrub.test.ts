import { describe, expect, it } from 'vitest';
import { needlesFor, Scrubber, scrubText } from '../../../src/core/egress/scrub.js';
import { newPlaceholder, type HeaderBinding } from '../../../src/core/vault/inject.js';

const value = 'sk-real/value+0123456789';
const b: HeaderBinding = { name: 'API_KEY', hosts: ['api.example.test'], header: 'Authorization: Bearer {}', placeholder: newPlaceholder(), value };
const needles = needlesFor([b]);

/** Streams `text` through a scrubber in pieces of `size` bytes. */
function stream(text: Buffer, size: number): { out: string; found: string[] } {
  const s = new Scrubber(needles);
  const parts: Buffer[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(s.push(text.subarray(i, i + size)));
  parts.push(s.end());
  return { out: Buffer.concat(parts).toString(), found: [...s.found] };
}

describe('response scrubbing', () => {
  it('replaces the value with the placeholder wherever the stream splits it', () => {
    const text = Buffer.from(`a ${value} b ${value}${value} end`);
    for (const size of [1, 2, 3, 7, 16, 1000]) {
      const r = stream(text, size);
      expect(r.out).toBe(`a ${b.placeholder} b ${b.placeholder}${b.placeholder} end`);
      expect(r.found).toEqual(['API_KEY']);
    }
  });

  it('catches percent-encoded, JSON-escaped and base64 (any alignment, also inside Basic credentials) reflections', () => {
    const forms = [
      encodeURIComponent(value),
      encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      JSON.stringify(value).slice(1, -1).replace(/\//g, '\\/'),
      Buffer.from(`x-access-token:${value}`).toString('base64'),
      Buffer.from(`u:${value}`).toString('base64'),
      Buffer.from(`:${value}`).toString('base64url'),
      Buffer.from(value).toString('base64'),
    ];
    for (const f of forms) {
      const r = stream(Buffer.from(`echo: ${f};`), 5);
      expect(r.found, f).toEqual(['API_KEY']);
      expect(r.out).not.toContain(f.slice(4, -4));
      const decoded = Buffer.from(r.out.slice(6, -1), f.includes('_') ? 'base64url' : 'base64').toString('latin1');
      expect(decoded).not.toContain(value.slice(2, -2));
    }
  });

  it('passes other bytes through untouched and holds back only a tail that could start the value', () => {
    const s = new Scrubber(needles);
    expect(s.push(Buffer.from('data: {"token":"hello"}\n\n')).toString()).toBe('data: {"token":"hello"}\n\n');
    expect(s.push(Buffer.from('data: sk-re')).toString()).toBe('data: ');
    expect(s.push(Buffer.from('ady\n\n')).toString()).toBe('sk-ready\n\n');
    expect(s.end().length).toBe(0);
    expect(s.found.size).toBe(0);
    const big = Buffer.alloc(256 * 1024, 'x');
    expect(stream(big, 16 * 1024).out).toBe(big.toString());
  });

  it('scrubs header text (latin1 strings of raw bytes)', () => {
    const found = new Set<string>();
    expect(scrubText(`Bearer ${value}`, needles, found)).toBe(`Bearer ${b.placeholder}`);
    expect(scrubText('plain', needles, found)).toBe('plain');
    expect([...found]).toEqual(['API_KEY']);
  });

  it('ignores values too short to be credentials', () => {
    expect(needlesFor([{ ...b, value: 'abc' }])).toEqual([]);
  });
});
