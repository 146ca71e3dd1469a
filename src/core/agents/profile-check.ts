/**
 * The editors' checks: a whole profile (the YAML tab, `agents:check`) and a rules text inside a
 * stored profile (the rule editor, `rules:check`). The rule editor shows the rules text alone,
 * so `rules:check` answers in its coordinates — line 1 is the first line of the rules text —
 * and the renderer never maps profile lines back itself.
 */
import type { GapFinding, ProfileCheck, RuleProblem, RulesCheck } from '../../shared/api.js';
import { PaddockError } from '../../shared/errors.js';
import type { Profile } from '../../shared/profile.schema.js';
import type { RuleSet } from '../../shared/rules.schema.js';
import { parseRules } from '../policy/index.js';
import { gapReport } from './gap-report.js';
import { renderInstructions } from './instructions.js';
import { parseProfile } from './profile.js';
import { withRules } from './profile-edit.js';

/** The file name used in diagnostics of a profile being edited in the UI (it has no file). */
export const EDITOR_FILE = 'profile.yaml';

/** What the checks need from the engine: the user's home (for `~`) and the agent's decoy switch. */
export interface CheckContext {
  home: string;
  /** Whether decoys are on for the agent (the gap report mentions them); default off. */
  decoys?: (agent: string) => boolean;
}

/** Checks a profile the way `paddock check` does, for the YAML tab's live validation. */
export function checkProfile(yaml: string, ctx: CheckContext): ProfileCheck {
  const r = parseProfile(yaml, EDITOR_FILE, { home: ctx.home });
  if (!r.profile || !r.ruleSet) return { ok: false, diagnostics: r.diagnostics, gaps: [], instructions: null };
  return { ok: true, diagnostics: [], gaps: gaps(r.profile, r.ruleSet, ctx), instructions: renderInstructions(r.profile, r.ruleSet) };
}

function gaps(profile: Profile, ruleSet: RuleSet, ctx: CheckContext): GapFinding[] {
  return gapReport(profile, ruleSet, { decoys: ctx.decoys?.(profile.name) ?? false });
}

/** The rule set with its lines counted from the rules text's first line (the editor's numbering). */
function inRuleLines(ruleSet: RuleSet, rulesLine: number): RuleSet {
  const shift = (line: number): number => line - rulesLine + 1;
  return {
    rules: ruleSet.rules.map((r) => ({ ...r, line: shift(r.line) })),
    advisories: ruleSet.advisories.map((a) => ({ ...a, line: shift(a.line) })),
  };
}

/** The profile-file line where the rules text starts in a profile built by withRules (0: no rules). */
function firstRulesLine(yaml: string): number {
  const i = yaml.split('\n').findIndex((l) => /^rules:\s*\|/.test(l));
  return i < 0 ? 0 : i + 2;
}

/**
 * Checks `rules` as the rules of the stored profile `yaml`: the problems of the rules text by its
 * own line and column, any other problem of the profile by its profile line, the gap report
 * (its "line N" references in the editor's numbering) and the instruction preview. `yaml` in the
 * result is the profile to save.
 */
export function checkRules(yaml: string, rules: string, ctx: CheckContext): RulesCheck {
  let built: string;
  try {
    built = withRules(yaml, rules);
  } catch (e) {
    throw new PaddockError('E_PROFILE_INVALID', `the rules cannot be edited here: ${(e as Error).message}; fix the profile in the YAML tab first`);
  }
  const r = parseProfile(built, EDITOR_FILE, { home: ctx.home });
  if (r.profile && r.ruleSet) {
    const ruleSet = inRuleLines(r.ruleSet, r.profile.rulesLine);
    return { ok: true, yaml: built, problems: [], gaps: gaps(r.profile, ruleSet, ctx), instructions: renderInstructions(r.profile, r.ruleSet) };
  }
  // The rule parser's own positions are already rule-relative; the profile's other problems keep their profile line.
  const problems: RuleProblem[] = parseRules(rules).diagnostics.map((d) => ({ line: d.line, col: d.col, profileLine: null, message: d.message }));
  const first = firstRulesLine(built);
  const count = rules.replace(/\n$/, '').split('\n').length;
  for (const d of r.diagnostics) {
    const inRules = first > 0 && d.line >= first && d.line < first + count;
    if (inRules && problems.length > 0) continue; // reported above, in the editor's coordinates
    problems.push({ line: null, col: null, profileLine: d.line, message: d.message });
  }
  return { ok: false, yaml: built, problems, gaps: [], instructions: null };
}
