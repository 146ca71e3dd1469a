import { readFileSync } from 'node:fs';

/** Reads a profile named on the command line; an unreadable file is reported like a bad profile. */
export function readProfileFile(file: string): { text: string } | { error: string } {
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a profile file' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    return { error: `${file}:1:1: cannot read the profile: ${why}` };
  }
}
