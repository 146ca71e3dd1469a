import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseProfile, serializeProfile, type ProfileResult } from '../../../src/core/agents/profile.js';
import type { Profile } from '../../../src/shared/profile.schema.js';

const ctx = { home: '/home/u' };
const EXAMPLE = readFileSync('test/fixtures/profiles/example.yaml', 'utf8');

/** The structural promise: either a profile and no diagnostics, or diagnostics that are all well formed. */
function assertStructured(r: ProfileResult, text: string): void {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  if (r.profile) {
    expect(r.diagnostics).toEqual([]);
    expect(r.ruleSet).not.toBeNull();
    return;
  }
  expect(r.ruleSet).toBeNull();
  expect(r.diagnostics.length).toBeGreaterThan(0);
  for (const d of r.diagnostics) {
    expect(d.file).toBe('f.yaml');
    expect(Number.isInteger(d.line) && d.line >= 1 && d.line <= lineCount + 1).toBe(true);
    expect(Number.isInteger(d.col) && d.col >= 1).toBe(true);
    expect(typeof d.message === 'string' && d.message.length > 0).toBe(true);
  }
}

const KEYS = ['name', 'command', 'workspace', 'folders', 'network', 'rules', 'secrets', 'limits', 'approvals', 'path', 'access', 'as', 'hosts', 'header', 'memory', 'cpu', 'processes', 'timeout', 'foo'];
const profileLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.anything({ maxDepth: 2 }),
    fc.constantFrom('on', 'off', 'ro', 'rw', 'copy', 'env', 'file', 'header', '2GiB', '~/x', 'allow net x.com\nalow y', 'a', '*'),
    tie('obj'),
    fc.array(tie('value'), { maxLength: 3 }),
  ),
  obj: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 6 }),
}));

describe('parseProfile never throws and only returns structured diagnostics', () => {
  it('on arbitrary values serialised to YAML', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const text = stringify(v) ?? '';
        assertStructured(parseProfile(text, 'f.yaml', ctx), text);
      }),
      { numRuns: 300 },
    );
  });

  it('on profile-shaped objects serialised to YAML', () => {
    fc.assert(
      fc.property(profileLike.obj, (v) => {
        const text = stringify(v) ?? '';
        assertStructured(parseProfile(text, 'f.yaml', ctx), text);
      }),
      { numRuns: 500 },
    );
  });

  it('on random text, and random bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 })), (text) => {
        assertStructured(parseProfile(text, 'f.yaml', ctx), text);
      }),
      { numRuns: 500 },
    );
  });

  it('on the example profile with random edits', () => {
    const edit = fc.tuple(fc.nat(EXAMPLE.length), fc.nat(8), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = EXAMPLE;
        for (const [at, del, ins] of edits) text = text.slice(0, at) + ins + text.slice(at + del);
        assertStructured(parseProfile(text, 'f.yaml', ctx), text);
      }),
      { numRuns: 500 },
    );
  });

  it('on deeply nested input', () => {
    const text = `name: a\nlimits: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    assertStructured(parseProfile(text, 'f.yaml', ctx), text);
  });
});

const RULE_LINES = [
  'allow net api.anthropic.com', 'allow net *.githubusercontent.com:443', 'ask   net *', 'deny net 10.0.0.0/8', 'deny  exec ssh',
  'deny  read **/.env', 'allow write ~/out/**', 'ask   action send-email', 'ask action Bash(git push *)', 'deny secret OPENAI_KEY',
  'do    "Keep all work inside the workspace"', 'dont "Never buy anything"', '# a comment', '',
];
const absPath = fc.array(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9 ._'"#:-]{0,8}$/).filter((s) => s !== '.' && s !== '..' && !s.endsWith(' ') && s.trim() === s), { minLength: 1, maxLength: 3 }).map((p) => `/${p.join('/')}`);
const secretName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/).map((s) => `S_${s}`);
const secret = fc.oneof(
  secretName.map((name) => ({ name, as: 'env' as const })),
  secretName.map((name) => ({ name, as: 'file' as const })),
  fc.record({ name: secretName, hosts: fc.array(fc.constantFrom('api.openai.com', '*.example.com', 'x.test:8443'), { minLength: 1, maxLength: 2 }), header: fc.constantFrom('Authorization: Bearer {}', 'X-Api-Key: {}', "X-K: 'q' {} #") }).map((s) => ({ ...s, as: 'header' as const })),
);

/** Valid profiles as parseProfile returns them (rulesLine is filled in by parsing). */
const profileArb: fc.Arbitrary<Omit<Profile, 'rulesLine'>> = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,39}$/),
  command: fc.array(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('\0') && s.trim() !== ''), { minLength: 1, maxLength: 4 }),
  workspace: fc.option(absPath.filter((w) => w !== ctx.home && !ctx.home.startsWith(`${w}/`)), { nil: null }),
  folders: fc
    .uniqueArray(fc.record({ path: absPath, access: fc.constantFrom('ro' as const, 'rw' as const, 'copy' as const) }), { selector: (f) => f.path, maxLength: 3 })
    .filter((fs) => {
      const bases = fs.filter((f) => f.access === 'copy').map((f) => f.path.split('/').pop());
      return new Set(bases).size === bases.length;
    }),
  network: fc.constantFrom('on' as const, 'off' as const),
  rules: fc.array(fc.constantFrom(...RULE_LINES), { maxLength: 6 }).chain((ls) => fc.constantFrom(ls.join('\n'), ls.length ? `${ls.join('\n')}\n` : '')),
  secrets: fc.uniqueArray(secret, { selector: (s) => s.name, maxLength: 3 }),
  limits: fc.record({
    memory: fc.option(fc.integer({ min: 1024 * 1024, max: 2 ** 45 }), { nil: null }),
    processes: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: null }),
    cpu: fc.option(fc.double({ min: 0.01, max: 1024, noNaN: true }), { nil: null }),
  }),
  approvals: fc.record({ timeout: fc.integer({ min: 1, max: 86_400 }) }),
});

describe('serializeProfile', () => {
  it('round-trips every valid profile (parse(serialize(p)) deep-equals p)', () => {
    fc.assert(
      fc.property(profileArb, (p0) => {
        const p: Profile = { ...p0, rulesLine: 0 };
        const text = serializeProfile(p);
        const r = parseProfile(text, 'f.yaml', ctx);
        expect(r.diagnostics).toEqual([]);
        expect(r.profile).toEqual({ ...p, rulesLine: p.rules === '' ? 0 : r.profile?.rulesLine });
        // The text is a fixpoint: serialising the parsed profile gives the same text.
        expect(serializeProfile(r.profile as Profile)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('writes the contract layout for the example profile', () => {
    const p = parseProfile(EXAMPLE, 'f.yaml', ctx).profile as Profile;
    const text = serializeProfile(p);
    expect(text).toContain('network: on\n');
    expect(text).toContain('rules: |\n  allow net api.anthropic.com\n');
    expect(text).toContain('  - { path: /home/u/Documents/papers, access: copy }\n');
    expect(text).toContain('  - { name: GITHUB_TOKEN, as: env }\n');
    expect(text).toContain('limits: { memory: 2GiB, processes: 256, cpu: 1 }\n');
    expect(parseProfile(text, 'f.yaml', ctx).profile).toEqual({ ...p, rulesLine: 8 });
  });
});
