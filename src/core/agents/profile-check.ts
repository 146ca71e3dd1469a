/** The editors' checks of a profile being edited (it has no file). */
import type { GapFinding, ProfileCheck } from '../../shared/api.js';
import type { Profile } from '../../shared/profile.schema.js';
import type { RuleSet } from '../../shared/rules.schema.js';
import { gapReport } from './gap-report.js';
import { renderInstructions } from './instructions.js';
import { parseProfile } from './profile.js';

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
