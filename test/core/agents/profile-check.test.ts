import { describe, expect, it } from 'vitest';
import { checkRules } from '../../../src/core/agents/profile-check.js';
import { parseProfile } from '../../../src/core/agents/profile.js';
import { ruleLineKind } from '../../../src/shared/rule-lines.js';
import { parseRules } from '../../../src/core/policy/rule-parser.js';

const ctx = { home: '/home/u' };
// The rules start on profile line 6: every profile line differs from the editor's line.
const STORED = '# my agent\nname: a\nnetwork: on\nfolders: []\nrules: |\n  allow net x.test\n';

describe('rules:check answers in the rule editor\'s coordinates', () => {
  it('a typo is reported at its line and column in the rules text, not the profile line', () => {
    const c = checkRules(STORED, 'allow net x.test\n# note\n  alow net y.test\n', ctx);
    expect(c.ok).toBe(false);
    expect(c.problems).toEqual([{ line: 3, col: 3, profileLine: null, message: expect.stringContaining('alow') }]);
    expect(c.gaps).toEqual([]);
    expect(c.instructions).toBeNull();
  });

  it('the gap report names rule lines as the editor numbers them', () => {
    const c = checkRules(STORED, 'ask net *\n\ndont "buy anything"\nallow net x.test\nallow net x.test\n', ctx);
    expect(c.ok).toBe(true);
    expect(c.problems).toEqual([]);
    const text = c.gaps.map((g) => g.message).join('\n');
    expect(text).toContain('dont "buy anything" (line 3)');
    expect(text).toMatch(/allow net x\.test \(line 5\) repeats an earlier rule/);
    expect(text).not.toMatch(/line (8|9|10)\b/); // profile lines of those rules
    expect(c.instructions).toContain('buy anything');
  });

  it('returns the profile to save: the rules as a literal block, the rest as written', () => {
    const c = checkRules(STORED, 'deny net evil.test', ctx);
    expect(c.yaml).toContain('# my agent\nname: a\nnetwork: on\n');
    const p = parseProfile(c.yaml, 'x.yaml', ctx);
    expect(p.profile?.rules).toBe('deny net evil.test\n');
    expect(checkRules(STORED, '', ctx).yaml).not.toContain('rules:');
  });

  it('a problem outside the rules keeps its profile line', () => {
    const c = checkRules('name: a\nworkspace: relative/dir\nrules: |\n  allow net x.test\n', 'allow net x.test\n', ctx);
    expect(c.ok).toBe(false);
    expect(c.problems).toEqual([{ line: null, col: null, profileLine: 2, message: expect.stringContaining('absolute') }]);
  });

  it('refuses a stored profile that is not a YAML map, saying what to do', () => {
    expect(() => checkRules('- a\n- b\n', 'allow net x.test', ctx)).toThrow(/YAML tab/);
  });
});

describe('one classification of rule lines for the parser and the editor', () => {
  it.each([
    ['', 'blank'], ['   ', 'blank'], ['# c', 'comment'], ['  # c', 'comment'],
    ['do "x"', 'advisory'], ['  dont "x"', 'advisory'], ['dont#x', 'advisory'],
    ['allow net x', 'enforced'], ['alow net x', 'enforced'], ['do-x "y"', 'enforced'], ['done', 'enforced'],
  ] as const)('%j is %s', (line, kind) => {
    expect(ruleLineKind(line)).toBe(kind);
  });

  it('agrees with the parser: a line the editor calls advisory parses as an advisory (or a do/dont problem)', () => {
    for (const line of ['do "x"', '  dont "y" # c', 'do x', 'do-x "y"', 'allow net a.test']) {
      const r = parseRules(line);
      const parserAdvisory = r.advisories.length > 0 || r.diagnostics.some((d) => /\b(do|dont)\b/.test(d.message) && !/unknown effect/.test(d.message));
      expect(ruleLineKind(line) === 'advisory').toBe(parserAdvisory);
    }
  });
});
