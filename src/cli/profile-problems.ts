import { homedir } from 'node:os';
import type { Diagnostic } from '../shared/errors.js';

/** The problems of a profile (positions naming `file` as given), or null when it is valid. Loads the parser (zod, yaml). */
export async function profileProblems(text: string, file: string): Promise<readonly Diagnostic[] | null> {
  const { profileProblems: problems } = await import('../core/commands/offline/index.js');
  return problems(text, file, homedir());
}
