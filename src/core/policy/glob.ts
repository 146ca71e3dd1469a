/**
 * Glob matching for read/write/exec paths and for action/secret names.
 *
 * Path globs: `**` any number of segments, `*` anything but `/`, `?` one character but
 * `/`, `~` the agent's home. A pattern also covers everything beneath what it matches
 * (threat: `deny read ~/secrets` must mask `~/secrets/key` too). A bare name with no `/`
 * matches that name at any depth, like .gitignore.
 */
import { posix } from 'node:path';

function escapeRe(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** Expands a leading `~` to `home` (kept literal when no home is known). */
export function expandHome(p: string, home: string | undefined): string {
  if (home === undefined) return p;
  if (p === '~') return home;
  if (p.startsWith('~/')) return `${home.replace(/\/+$/, '')}${p.slice(1)}`;
  return p;
}

/** Compiles a path glob into an anchored RegExp that also matches descendants. */
export function compilePathGlob(pattern: string, home?: string): RegExp {
  let p = expandHome(pattern, home);
  if (!p.includes('/')) p = `**/${p}`;
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '*' && p[i + 1] === '*') {
      const slashBefore = i === 0 || p[i - 1] === '/';
      if (slashBefore && p[i + 2] === '/') {
        re += '(?:[^/]*/)*'; // zero or more whole segments
        i += 2;
      } else {
        re += '.*'; // `**` inside a segment or at the end: anything, across slashes
        i += 1;
      }
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += escapeRe(ch);
  }
  return new RegExp(`^${re}(?:/.*)?$`, 's');
}

/** Normalises a path subject: `~` expanded, `.`/`..` resolved, duplicate and trailing slashes removed. */
export function normalizePath(p: string, home?: string): string {
  const expanded = expandHome(p, home);
  if (expanded === '') return expanded;
  const n = posix.normalize(expanded);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Compiles a name glob where only `*` is a wildcard (actions, secrets): `Bash(git push*)`. */
export function compileStarGlob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((s) => [...s].map(escapeRe).join('')).join('.*')}$`, 's');
}

/** Compiles a program-name glob (`ssh`, `python*`) matched against a basename; `*` and `?` are wildcards. */
export function compileNameGlob(pattern: string): RegExp {
  const re = [...pattern].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : escapeRe(ch))).join('');
  return new RegExp(`^${re}$`, 's');
}
