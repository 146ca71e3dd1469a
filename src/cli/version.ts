import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package version (dist/cli/version.js and src/cli/version.ts both sit two levels below the root). */
export function paddockVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
