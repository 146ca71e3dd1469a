/**
 * Path globs of read / write / exec rules, as seen inside the sandbox (PRODUCT.md "Rule language").
 * `**` crosses directories, `*` and `?` do not, `{a,b}` alternates, `~` is the agent's home.
 * A relative pattern (`**\/.env`, `.env`, `*.pem`) matches at any depth; a pattern ending in
 * `/**` also matches the directory itself (so the directory can be masked as a whole).
 */

const GLOB_CHARS = /[*?[{]/;

/** True when the pattern contains glob syntax. */
export function hasGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** Expand `~` / `~/…` to the agent's home; other patterns are returned unchanged. */
export function expandHome(pattern: string, home: string): string {
  if (pattern === '~') return home;
  if (pattern.startsWith('~/')) return `${home}${pattern.slice(1)}`;
  return pattern;
}

function escapeRe(c: string): string {
  return /[\\^$.|+()[\]{}*?]/.test(c) ? `\\${c}` : c;
}

function translate(p: string): string {
  let out = '';
  let inBrace = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') {
      if (p[i + 1] === '*') {
        const slashAfter = p[i + 2] === '/';
        i += slashAfter ? 2 : 1;
        out += slashAfter ? '(?:.*/)?' : '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      inBrace++;
      out += '(?:';
    } else if (c === '}' && inBrace > 0) {
      inBrace--;
      out += ')';
    } else if (c === ',' && inBrace > 0) out += '|';
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let cls = p.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        out += `[${cls}]`;
        i = end;
      }
    } else out += escapeRe(c);
  }
  return out + ')'.repeat(inBrace);
}

/** The regular expression (JS syntax, non-capturing groups) of a rule's path pattern. */
export function globRegexSource(pattern: string, home: string): string {
  let p = expandHome(pattern.trim(), home);
  const dirToo = p.endsWith('/**');
  if (dirToo) p = p.slice(0, -3);
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  const body = translate(p);
  const prefix = p.startsWith('/') ? '^' : '^(?:.*/)?';
  return `${prefix}${body}${dirToo ? '(?:/.*)?' : ''}$`;
}

/** Compile a rule's path pattern to a matcher of absolute inside paths. */
export function compileGlob(pattern: string, home: string): (absPath: string) => boolean {
  const re = new RegExp(globRegexSource(pattern, home), 's');
  return (absPath) => re.test(absPath);
}

/**
 * The directory under which an absolute pattern can match (its literal prefix), or null for
 * a relative pattern, which can match anywhere.
 */
export function literalRoot(pattern: string, home: string): string | null {
  const p = expandHome(pattern.trim(), home);
  if (!p.startsWith('/')) return null;
  const parts = p.split('/');
  const lit: string[] = [];
  for (const part of parts.slice(1)) {
    if (hasGlob(part)) break;
    lit.push(part);
  }
  // A fully literal pattern's root is the path itself.
  return `/${lit.filter((s) => s !== '').join('/')}`;
}
