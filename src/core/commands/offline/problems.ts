/** A `run`'s profile problems, with no host: the parser only (not the gap report). */
import type { Diagnostic } from '../../../shared/errors.js';
import { parseProfile } from '../../agents/profile.js';

export function profileProblems(text: string, file: string, home: string): readonly Diagnostic[] | null {
  const parsed = parseProfile(text, file, { home });
  return !parsed.profile || parsed.diagnostics.length ? parsed.diagnostics : null;
}
