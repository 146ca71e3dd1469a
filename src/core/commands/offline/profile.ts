/** `paddock check` and a `run`'s profile problems, with no host: the parser, the gap report, the instruction file. */
import { gapReport } from '../../agents/gap-report.js';
import { renderInstructions } from '../../agents/instructions.js';
import { parseProfile } from '../../agents/profile.js';
import type { ProfileCheck } from './index.js';
import { problemsHere } from './profile-here.js';

export function checkProfileFile(text: string, file: string, opts: { home: string; instructions?: boolean }): ProfileCheck {
  const { profile, ruleSet, diagnostics } = parseProfile(text, file, { home: opts.home });
  if (!profile || !ruleSet || diagnostics.length > 0) return { valid: false, diagnostics };
  return {
    valid: true,
    agent: profile.name,
    rules: ruleSet.rules.length,
    advisories: ruleSet.advisories.length,
    gaps: gapReport(profile, ruleSet),
    here: problemsHere(profile, ruleSet, opts.home),
    ...(opts.instructions ? { instructions: renderInstructions(profile, ruleSet) } : {}),
  };
}
