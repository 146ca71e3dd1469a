/**
 * The `rules:` value of a profile: where its text sits in the file, and the rule parser's
 * diagnostics and rule lines mapped back to file lines and columns.
 */
import { isScalar, Scalar, type Node } from 'yaml';
import type { RuleSet } from '../../shared/rules.schema.js';
import { parseRules } from '../policy/index.js';
import { nodePos, posAt, type LoadedYaml, type Pos, type RawDiagnostic } from './profile-yaml.js';

/** Maps a 1-based (line, col) in the rule text to the profile file. */
export type RulePosMapper = (line: number, col: number) => Pos;

/** Where the rule text starts and how to map positions, or why the value cannot be used. */
export type RulesLocation = { firstLine: number; map: RulePosMapper } | { error: RawDiagnostic };

/**
 * Locates the rule text of a `rules:` node. A literal block (`|`, `|-`, `|+`, `|2`) maps line for
 * line; a single-line plain or quoted string maps to its own line. Folded blocks and flow scalars
 * over several lines are refused: folding joins rule lines, so what runs would not be what was read.
 */
export function locateRules(y: LoadedYaml, node: Node | null, text: string): RulesLocation {
  const at = nodePos(y, node);
  if (!node || !isScalar(node)) return { firstLine: at.line, map: () => at };
  if (node.type === Scalar.BLOCK_FOLDED) {
    return { error: { ...at, message: 'rules must be a literal block (rules: |), not folded (>): folding joins rule lines' } };
  }
  if (node.type === Scalar.BLOCK_LITERAL) {
    const first = at.line + 1;
    const valueLines = text.split('\n');
    return {
      firstLine: first,
      map: (line, col) => {
        const fileLine = first + line - 1;
        const src = (y.sourceLines[fileLine - 1] ?? '').replace(/\r$/, '');
        const val = valueLines[line - 1] ?? '';
        // The block's indentation is what the literal strips from each content line.
        const shift = src.endsWith(val) ? Math.max(0, src.length - val.length) : 0;
        return { line: fileLine, col: Math.max(1, col + shift) };
      },
    };
  }
  const end = node.range?.[1];
  if (typeof end === 'number' && end > 0 && posAt(y, end - 1).line > at.line) {
    return { error: { ...at, message: 'rules over several lines must be a literal block: write "rules: |" and one rule per line below it' } };
  }
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
  const single = !text.includes('\n');
  return {
    firstLine: at.line,
    // Escapes (\n) inside a quoted string make exact columns unknowable: point at the string then.
    map: (_line, col) => ({ line: at.line, col: single ? at.col + (quoted ? 1 : 0) + col - 1 : at.col }),
  };
}

/**
 * Parses the rule text and returns the rule set with every `line`/`col` converted to the profile
 * file, plus the parser's diagnostics positioned in the file.
 */
export function parseProfileRules(text: string, map: RulePosMapper): { ruleSet: RuleSet; diagnostics: RawDiagnostic[] } {
  const parsed = parseRules(text);
  const diagnostics = parsed.diagnostics.map((d) => ({ ...map(d.line, d.col), message: d.message }));
  const rules = parsed.rules.map((r) => {
    const p = map(r.line, r.col);
    return { ...r, line: p.line, col: p.col };
  });
  const advisories = parsed.advisories.map((a) => ({ ...a, line: map(a.line, 1).line }));
  return { ruleSet: { rules, advisories }, diagnostics };
}
