/**
 * How a line of the rule language is classified, without parsing it fully: one source for the
 * rule parser (src/core/policy/rule-parser.ts) and the rule editor's gutter. Pure: no Node, no DOM.
 */

/** The effects that are advice told to the agent (PADDOCK.md), enforced by nothing. */
export const ADVISORY_EFFECTS = ['do', 'dont'] as const;
export type AdvisoryEffect = (typeof ADVISORY_EFFECTS)[number];

/** What a rule line is: an enforced rule (allow/deny/ask), an advisory do/dont, a comment, or blank. */
export type RuleLineKind = 'enforced' | 'advisory' | 'comment' | 'blank';

/** True when `word` (a line's first word) is `do` or `dont`. */
export function isAdvisoryEffect(word: string): word is AdvisoryEffect {
  return (ADVISORY_EFFECTS as readonly string[]).includes(word);
}

/**
 * The first word of a rule line as the parser reads it: after leading whitespace, up to
 * whitespace or `#` (a comment). Empty for a blank or comment-only line.
 */
export function firstWord(line: string): string {
  return /^\s*([^\s#]*)/.exec(line)![1]!;
}

/** Classifies one line of rule text (a line with a problem is still classified by its first word). */
export function ruleLineKind(line: string): RuleLineKind {
  const t = line.trimStart();
  if (t === '') return 'blank';
  if (t.startsWith('#')) return 'comment';
  return isAdvisoryEffect(firstWord(t)) ? 'advisory' : 'enforced';
}
