import { homedir } from 'node:os';
import type { Diagnostic } from '../shared/errors.js';

/** The problems of a profile (positions naming `file` as given), or null when it is valid. Loads the parser (zod, yaml). */
export async function profileProblems(text: string, file: string): Promise<readonly Diagnostic[] | null> {
  const { parseProfile } = await import('../core/agents/profile.js');
  const parsed = parseProfile(text, file, { home: homedir() });
  return !parsed.profile || parsed.diagnostics.length ? parsed.diagnostics : null;
}
