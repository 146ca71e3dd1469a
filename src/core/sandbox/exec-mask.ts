import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Rule } from '../../shared/rules.schema.js';
import { compileGlob } from './glob.js';
import { isWithin } from './layout.js';
import { isAnyTarget } from '../policy/index.js';

function tryOr<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

/**
 * The names a program's file may carry besides its own: without a GNU triplet (`x86_64-linux-gnu-gcc`,
 * `perl5.36-x86_64-linux-gnu`) and then without each trailing version part (`python3.11` →
 * `python3` → `python`, `perl5.36` → `perl5` → `perl`, `gcc-12` → `gcc`).
 */
export function versionlessNames(name: string): string[] {
  const out: string[] = [];
  let n = name.replace(/^[a-z0-9_]+-linux-gnu[a-z]*-(?=.)/, '').replace(/(?<=.)-[a-z0-9_]+-linux-gnu[a-z]*$/, '');
  if (n !== name) out.push(n);
  for (;;) {
    const m = /^(.+)[.-][0-9]+$/.exec(n) ?? /^(.*[a-z+])[0-9]+$/i.exec(n);
    if (!m?.[1] || !/[a-z]/i.test(m[1])) return out;
    out.push((n = m[1]));
  }
}

/** Where programs keep executables outside PATH (helpers, private copies). */
const LIBEXEC_ROOTS = ['/usr/lib', '/usr/libexec', '/usr/local/lib', '/usr/local/libexec', '/opt'];

/**
 * Files to mask for `deny exec NAME` rules (names without `/`): every file with a matching name
 * on the inside PATH (and every executable one in the helper folders under /usr/lib,
 * /usr/libexec, /usr/local and /opt), the real file behind it (through symlinks such as
 * /etc/alternatives), and every hard link to it in the PATH directories. Masking the real
 * file makes every symlink to it useless, so it can be neither run nor copied.
 * Returns real host paths, which are also their inside paths.
 */
export async function execNameMasks(rules: Rule[], pathDirs: string[], visibleRoots: string[]): Promise<string[]> {
  const byName = (effects: Rule['effect'][]) =>
    rules
      .filter((r) => r.kind === 'exec' && effects.includes(r.effect))
      .filter((r) => !r.pattern.includes('/') && !r.pattern.startsWith('~'));
  const denyRules = byName(['deny', 'ask']);
  if (denyRules.length === 0) return [];
  const compile = (rs: Rule[]) => rs.map((r) => compileGlob(`/${r.pattern}`, '/'));
  const namedDeny = compile(denyRules.filter((r) => !isAnyTarget(r.pattern)));
  const anyDeny = compile(denyRules.filter((r) => isAnyTarget(r.pattern)));
  const namedAllow = compile(byName(['allow']).filter((r) => !isAnyTarget(r.pattern)));
  // Two-tier precedence (PRODUCT.md): `deny exec *` does not mask a program an allow rule names.
  const names = [(n: string) => namedDeny.some((m) => m(n)), (n: string) => anyDeny.some((m) => m(n)) && !namedAllow.some((m) => m(n))];
  const visible = (p: string): boolean => visibleRoots.some((r) => isWithin(p, r));
  const dirs = new Set<string>();
  for (const d of pathDirs) {
    // Threat: the agent's ~/.local/bin being a link to a host dir: only scan what is visible inside.
    const real = tryOr(() => realpathSync(d));
    if (real && visible(real)) dirs.add(real);
  }
  // Threat: a second copy of the program outside PATH (git's /usr/lib/git-core/git): the same
  // name in the folders programs keep helpers in, and one level below them (and their bin/).
  const helperDirs = new Set<string>();
  for (const root of LIBEXEC_ROOTS) {
    const real = tryOr(() => realpathSync(root));
    if (!real || !visible(real)) continue;
    helperDirs.add(real);
    for (const e of tryOr(() => readdirSync(real, { withFileTypes: true })) ?? []) {
      if (!e.isDirectory()) continue;
      helperDirs.add(path.join(real, e.name));
      helperDirs.add(path.join(real, e.name, 'bin'));
    }
  }
  for (const d of dirs) helperDirs.delete(d);
  const targets = new Set<string>();
  const linked = new Set<string>(); // dev:ino of targets that have other hard links
  const listing = [...dirs, ...helperDirs].map((dir) => ({ dir, names: tryOr(() => readdirSync(dir)) ?? [], helper: helperDirs.has(dir) }));
  for (const { dir, names: entries, helper } of listing) {
    for (const name of entries) {
      // Threat: the same program under a versioned name (`deny exec perl`, `perl5.36-x86_64-linux-gnu`).
      const versioned = !names.some((m) => m(`/${name}`));
      if (versioned && !versionlessNames(name).some((v) => names.some((m) => m(`/${v}`)))) continue;
      const abs = path.join(dir, name);
      const st = tryOr(() => statSync(abs));
      const real = st?.isFile() ? tryOr(() => realpathSync(abs)) : null;
      if (!st || !real || !visible(real)) continue;
      if ((helper || versioned) && (st.mode & 0o111) === 0) continue; // a data file that shares the name, not a program
      targets.add(real);
      if (st.nlink > 1) linked.add(`${st.dev}:${st.ino}`);
    }
  }
  // Hard links of a denied program under another name are the same program (stat all only then).
  if (linked.size > 0) {
    for (const { dir, names: entries } of listing) {
      for (const name of entries) {
        const abs = path.join(dir, name);
        const st = tryOr(() => statSync(abs));
        if (!st?.isFile() || !linked.has(`${st.dev}:${st.ino}`)) continue;
        const real = tryOr(() => realpathSync(abs));
        if (real && visible(real)) targets.add(real);
      }
    }
  }
  return [...targets].sort();
}
