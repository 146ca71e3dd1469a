// Fuzzing the two text parsers users feed: the rule language and the profile validator. Extends the
// property tests in test/core/policy/rule-parser.test.ts and test/core/agents/profile-props.test.ts
// with larger budgets and grammar-aware mutations. Property: never throws, returns only structured
// diagnostics with in-range positions, and anything accepted is valid per the shared schemas.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseProfile } from '../../src/core/agents/profile.js';
import { compilePolicy, parseRules } from '../../src/core/policy/index.js';
import { AdvisorySchema, RuleSchema } from '../../src/shared/rules.schema.js';
import { fcOptions, fuzzRuns, fuzzTimeout } from './budget.js';

const RUNS = fuzzRuns();

const ruleToken = fc.constantFrom(
  'allow', 'deny', 'ask', 'do', 'dont', 'net', 'read', 'write', 'exec', 'secret', 'action', '*', '*.', '**', '~', '/', ':', ':*', ':443', ':8000-8100', ':0', ':65536',
  '[::1]', '[::1]:80', '127.1', '0x7f000001', '0177.0.0.1', '2130706433', '10.0.0.0/8', '::ffff:127.0.0.1', 'fe80::1%eth0', '169.254.169.254', 'localhost',
  'api.example.com', 'ß.example', 'xn--', '"', '"text"', '#', '\t', ' ', '\n', '\r\n', '\\', '\u0000', '\u202e', '..', '../', '${HOME}', '{}',
);
const ruleText = fc.oneof(
  fc.array(fc.oneof(ruleToken, fc.string({ maxLength: 5 })), { maxLength: 40 }).map((a) => a.join('')),
  fc.array(fc.array(ruleToken, { maxLength: 6 }).map((a) => a.join(' ')), { maxLength: 8 }).map((a) => a.join('\n')),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

function checkRules(text: string): void {
  const lines = text.split('\n');
  const r = parseRules(text);
  for (const d of r.diagnostics) {
    expect(d.line >= 1 && d.line <= lines.length).toBe(true);
    expect(d.col >= 1 && d.col <= lines[d.line - 1]!.length + 1).toBe(true);
    expect(d.message.length).toBeGreaterThan(0);
  }
  for (const rule of r.rules) RuleSchema.parse(rule);
  for (const a of r.advisories) AdvisorySchema.parse(a);
  // Whatever parsed must also compile (the engine compiles every accepted rule set).
  if (r.diagnostics.length === 0) compilePolicy(r.rules);
}

const KEYS = ['name', 'command', 'workspace', 'folders', 'network', 'rules', 'secrets', 'limits', 'approvals', 'path', 'access', 'as', 'hosts', 'header', 'memory', 'cpu', 'processes', 'timeout', '__proto__', 'constructor'];
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.anything({ maxDepth: 2 }),
    fc.constantFrom('on', 'off', 'ro', 'rw', 'copy', 'env', 'file', 'header', '2GiB', '1e400', '-1', '0x10', '~/x', '/', 'a', 'allow net x.com\nalow y', 'Authorization: Bearer {}'),
    ruleText,
    tie('obj'),
    fc.array(tie('v'), { maxLength: 3 }),
  ),
  obj: fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 6 }),
}));
const yamlish = fc.constantFrom('name: a\n', 'rules: |\n', '  allow net x\n', '- ', '&a ', '*a', '!!binary ', '? ', '---\n', '...\n', '{', '[', '"', "'", ': ', '\t', '#', '%YAML 1.2\n', '<<: *a\n');
const profileText = fc.oneof(
  value.obj.map((o) => stringify(o) ?? ''),
  fc.array(fc.oneof(yamlish, fc.string({ maxLength: 8 })), { maxLength: 40 }).map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 400 }),
);

function checkProfile(text: string): void {
  const r = parseProfile(text, 'f.yaml', { home: '/home/u' });
  if (r.diagnostics.length === 0) {
    expect(r.profile).not.toBeNull();
    return;
  }
  expect(r.profile).toBeNull();
  const lines = text.split('\n').length;
  for (const d of r.diagnostics) {
    expect(d.file).toBe('f.yaml');
    expect(d.line >= 1 && d.line <= lines + 1).toBe(true);
    expect(d.col).toBeGreaterThanOrEqual(1);
    expect(d.message.length).toBeGreaterThan(0);
  }
}

describe('fuzz: rule parser', () => {
  it(`never throws on ${RUNS} inputs; positions in range; accepted rules compile`, () => {
    fc.assert(fc.property(ruleText, (t) => checkRules(t)), fcOptions(RUNS));
  }, fuzzTimeout(RUNS, 0.2));
});

describe('fuzz: profile validator', () => {
  it(`never throws on ${RUNS} inputs; diagnostics are FILE:LINE:COL shaped`, () => {
    fc.assert(fc.property(profileText, (t) => checkProfile(t)), fcOptions(RUNS));
  }, fuzzTimeout(RUNS, 1));
});
