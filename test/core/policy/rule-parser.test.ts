import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../../src/core/policy/index.js';
import { RuleSchema, AdvisorySchema } from '../../../src/shared/rules.schema.js';

const diag = (text: string) => parseRules(text).diagnostics;

describe('parseRules: valid text', () => {
  it('reads the PRODUCT.md example with comments, blanks and odd spacing', () => {
    const r = parseRules(
      [
        'allow net api.anthropic.com',
        '   allow\tnet   *.githubusercontent.com   # trailing comment',
        '',
        '# a comment line',
        'ask   net *',
        'deny  exec ssh',
        'deny  read **/.env',
        'ask   action send-email',
        'ask action Bash(git push *)   # push needs me',
        'do    "Keep all work inside the workspace"',
        'dont  "Never use # signs \\"loosely\\""  # comment',
        'deny read "~/My Documents/**"',
      ].join('\r\n'),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.rules.map((x) => [x.text, x.line, x.col])).toEqual([
      ['allow net api.anthropic.com', 1, 1],
      ['allow net *.githubusercontent.com', 2, 4],
      ['ask net *', 5, 1],
      ['deny exec ssh', 6, 1],
      ['deny read **/.env', 7, 1],
      ['ask action send-email', 8, 1],
      ['ask action Bash(git push *)', 9, 1],
      ['deny read "~/My Documents/**"', 12, 1],
    ]);
    expect(r.rules[6]!.pattern).toBe('Bash(git push *)');
    expect(r.rules[7]!.pattern).toBe('~/My Documents/**');
    expect(r.advisories).toEqual([
      { type: 'do', text: 'Keep all work inside the workspace', line: 10 },
      { type: 'dont', text: 'Never use # signs "loosely"', line: 11 },
    ]);
  });
});

describe('parseRules: errors point at the problem', () => {
  it.each([
    ['alow net x', 1, 1, 'unknown effect "alow" (expected allow, deny, ask, do or dont)'],
    ['  Allow net x', 1, 3, 'unknown effect "Allow"'],
    ['allow nett x', 1, 7, 'unknown kind "nett" (expected net, read, write, exec, secret or action)'],
    ['allow', 1, 6, 'missing kind after "allow"'],
    ['allow net', 1, 10, 'missing pattern after "allow net"'],
    ['allow net   # nothing', 1, 13, 'missing pattern'],
    ['allow net a.test b.test', 1, 18, 'unexpected "b.test" after the pattern'],
    ['allow net a..test', 1, 13, 'empty label'],
    ['allow net .a.test', 1, 11, 'empty label'],
    ['allow net a.test:0', 1, 18, 'port 0 is out of range'],
    ['allow net a.test:65536', 1, 18, 'out of range'],
    ['allow net a.test:http', 1, 18, 'bad port "http"'],
    ['allow net a.test:9000-8000', 1, 18, 'backwards'],
    ['allow net a.test:', 1, 18, 'missing port'],
    ['allow net 10.0.0.0/33', 1, 20, 'CIDR prefix "33"'],
    ['allow net 10.0.0.1/8', 1, 11, 'did you mean 10.0.0.0/8'],
    ['allow net a.*.test', 1, 13, '"*" is only allowed'],
    ['allow net *a.test', 1, 11, '"*" is only allowed'],
    ['allow net [::1', 1, 11, 'missing "]"'],
    ['allow net [::1]8000', 1, 16, 'unexpected "8000" after "]"'],
    ['allow net [zz::1]:80', 1, 12, 'not a valid IPv6 address'],
    ['allow net 1.2.3.4.5', 1, 11, 'not a valid IPv4 address'],
    ['allow net 256.1.1.1', 1, 11, 'not a valid IPv4 address'],
    ['allow net a_b$.test', 1, 14, '"$" is not allowed'],
    ['do Keep it tidy', 1, 4, 'must be in double quotes: do "Keep it tidy"'],
    ['dont', 1, 5, 'missing text after dont'],
    ['do "never closed', 1, 4, 'unterminated quote'],
    ['do "x" y', 1, 8, 'unexpected "y" after the quoted text'],
    ['do ""', 1, 4, 'is empty'],
    ['deny read relative/path', 1, 11, 'must start with /'],
    ['deny read /a/../b', 1, 14, '".." segments'],
    ['deny secret MY$KEY', 1, 15, '"$" is not allowed in a secret name'],
    ['deny net "a.test"', 1, 10, 'net patterns are not quoted'],
    ['allow read "/x/y', 1, 12, 'unterminated quote'],
  ])('%j → %i:%i %s', (text, line, col, msg) => {
    const d = diag(text);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ line, col });
    expect(d[0]!.message).toContain(msg);
  });

  it('reports every bad line with its own line number and keeps the good ones', () => {
    const r = parseRules('allow net a.test\nalow net b\n\ndeny net c..d\nask action x');
    expect(r.rules.map((x) => x.line)).toEqual([1, 5]);
    expect(r.diagnostics.map((d) => [d.line, d.col])).toEqual([
      [2, 1],
      [4, 12],
    ]);
  });
});

describe('parseRules never throws (property)', () => {
  const check = (text: string): void => {
    const lineCount = text.split('\n').length;
    const r = parseRules(text);
    for (const d of r.diagnostics) {
      expect(Number.isInteger(d.line) && d.line >= 1 && d.line <= lineCount).toBe(true);
      expect(Number.isInteger(d.col) && d.col >= 1).toBe(true);
      expect(d.col).toBeLessThanOrEqual(text.split('\n')[d.line - 1]!.length + 1);
      expect(typeof d.message).toBe('string');
    }
    for (const rule of r.rules) RuleSchema.parse(rule);
    for (const a of r.advisories) AdvisorySchema.parse(a);
  };
  it('on random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 200 }), (t) => check(t)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (t) => check(t)), { numRuns: 2000 });
  });
  it('on rule-ish token soup', () => {
    const token = fc.constantFrom(
      'allow', 'deny', 'ask', 'do', 'dont', 'net', 'read', 'write', 'exec', 'secret', 'action', '*', '*.a.test', 'a.test', '127.1',
      '[::1]:80', '::1', '10.0.0.0/8', ':443', ':*', ':8000-8100', '"', '#', '"x y"', '\\"', '~', '**/', '/', '..', '\t', ' ', '\n',
      '\r\n', '[', ']', '%', 'localhost', '0x7f000001', '65536', '/33', 'Bash(git push*)', '\u00a0', '\u0000',
    );
    const soup = fc.array(fc.oneof(token, fc.string({ maxLength: 4 })), { maxLength: 30 }).map((a) => a.join(''));
    const spaced = fc.array(token, { maxLength: 12 }).map((a) => a.join(' '));
    fc.assert(fc.property(soup, (t) => check(t)), { numRuns: 3000 });
    fc.assert(fc.property(spaced, (t) => check(t)), { numRuns: 3000 });
  });
});
