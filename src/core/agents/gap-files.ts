/**
 * Gap findings about files and resources: folders, write rules that re-open protected paths,
 * and limits.
 */
import type { GapFinding } from '../../shared/api.js';
import type { Profile } from '../../shared/profile.schema.js';
import type { RuleSet } from '../../shared/rules.schema.js';
import { compilePathGlob } from '../policy/index.js';
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lines } from './gap-net.js';
import { LOGIN_PATHS, userPathDirs } from '../sandbox/index.js';

/** Paths Paddock keeps read-only in writable places by default (they run code outside the sandbox later). */
export const PROTECTED_BY_DEFAULT = ['.git/hooks', '.git/config', 'shell rc files (.bashrc, .profile, .zshrc…)', '.vscode/', 'folders on your PATH'] as const;

/** Sample paths under a directory that a write rule must not reach. */
const PROTECTED_SAMPLES = ['.git/hooks/pre-commit', '.git/config', '.bashrc', '.bash_profile', '.profile', '.zshrc', '.vscode/settings.json', '.vscode/tasks.json'];

/**
 * What the agent sees when it meets the git protection, and the rule that lifts it for one
 * repository. git cannot say it (the read-only `.git/config` is a bind mount, so git's rename onto
 * it fails with EBUSY), so PADDOCK.md and the gap report do.
 */
export const GIT_CONFIG_HINT =
  'In those repositories `git remote add`, `git config user.name …` and the like fail with "could not write config file .git/config: Device or resource busy": that is this protection, not a broken repository. To let the agent change one repository\'s git settings, add the rule `allow write REPO/.git/config` with the repository\'s full path (its hooks stay read-only)';

/** A write rule naming exactly one repository's `.git/config` (no glob): `allow write ~/proj/.git/config`. */
export function namesOneGitConfig(pattern: string): boolean {
  return /\/\.git\/config$/.test(pattern) && !/[*?[]/.test(pattern);
}

/** True when an allow-write pattern can reach one of the paths protected by default. */
function reopensProtected(pattern: string): boolean {
  const firstGlob = pattern.search(/[*?[]/);
  const literal = firstGlob < 0 ? pattern : pattern.slice(0, firstGlob);
  const dir = literal.includes('/') ? literal.slice(0, literal.lastIndexOf('/') + 1) : '';
  const base = firstGlob < 0 ? `${pattern.replace(/\/$/, '')}/` : dir;
  const re = compilePathGlob(pattern);
  const candidates = [...PROTECTED_SAMPLES.map((p) => base + p), ...PROTECTED_SAMPLES.map((p) => `${base}sub/${p}`)];
  return candidates.some((c) => re.test(c)) || /(^|\/)(\.git|\.vscode|\.(bash|zsh)rc|\.profile|\.bash_profile)(\/|$)/.test(pattern);
}

/**
 * The fixed part of an absolute `allow write` glob that lies outside the workspace and every rw
 * folder (`/srv/data` of `allow write /srv/data/**`): such a glob grants nothing (globs only lift
 * protections inside writable folders), though it reads like write access. Null otherwise.
 */
function globOutsideWritable(pattern: string, writable: string[]): string | null {
  const g = pattern.search(/[*?[]/);
  if (g < 0 || !pattern.startsWith('/')) return null;
  const root = pattern.slice(0, g).replace(/\/[^/]*$/, '') || '/';
  const within = (a: string, b: string): boolean => a === b || a.startsWith(`${b.replace(/\/$/, '')}/`);
  return root === '/' || writable.some((w) => within(root, w) || within(w, root)) ? null : root;
}

/** Findings about folders, protected paths and write rules. */
export function fileFindings(profile: Profile, rs: RuleSet): GapFinding[] {
  const out: GapFinding[] = [];
  for (const f of profile.folders) {
    if (f.path === '/') {
      out.push({
        severity: 'high',
        code: 'folder-whole-filesystem',
        message: `The folder / (${f.access}) grants the whole filesystem${f.access === 'rw' ? ' for writing' : ''}.`,
        suggestion: 'grant only the folders the task needs',
      });
    }
  }
  const rw = profile.folders.filter((f) => f.access === 'rw');
  if (rw.length > 0) {
    out.push({
      severity: 'info',
      code: 'folder-rw-in-place',
      message: `${rw.map((f) => f.path).join(', ')} ${rw.length > 1 ? 'are' : 'is'} changed in place (rw): there is no copy to review before the changes land.`,
      suggestion: 'access: copy (the agent works on a copy; you export the results after reviewing a diff)',
    });
  }
  // Threat (attack pass I): a writable folder that *is* a PATH folder or a login folder is not protected
  // inside (the protections cover such folders within a grant, never the grant itself).
  const real = (p: string): string => {
    try {
      return realpathSync.native(p);
    } catch {
      return p;
    }
  };
  const pathDirs = userPathDirs(process.env.PATH ?? '');
  const home = real(os.homedir());
  const loginDirs = new Set(LOGIN_PATHS.map((l) => path.join(home, l)));
  for (const w of [...(profile.workspace ? [profile.workspace] : []), ...rw.map((f) => f.path)]) {
    const r = real(w);
    const what = pathDirs.has(r) ? 'is on your PATH: a program the agent puts there runs as you when you type its name' : loginDirs.has(r) ? 'runs programs as you at your next login, desktop start or SSH connection' : null;
    if (!what) continue;
    out.push({
      severity: 'high',
      code: 'folder-rw-runs-code',
      message: `${w} (${w === profile.workspace ? 'the workspace' : 'rw'}) ${what}; Paddock protects such folders inside a grant, not a grant that is one.`,
      suggestion: 'grant it ro, or grant the folder above it rw (the protection then applies)',
    });
  }
  const allowWrites = rs.rules.filter((r) => r.kind === 'write' && r.effect === 'allow');
  const gitConfigs = allowWrites.filter((r) => namesOneGitConfig(r.pattern));
  if (gitConfigs.length > 0) {
    out.push({
      severity: 'low',
      code: 'write-git-config',
      message: `${gitConfigs.map((r) => r.text).join('; ')} (${lines(gitConfigs)}) lets the agent change ${gitConfigs.length > 1 ? 'these repositories\'' : 'this repository\'s'} git settings (remotes, user name); a setting there can also run a program when you use git in it later (core.fsmonitor, core.pager…). ${gitConfigs.length > 1 ? 'Their' : 'Its'} hooks and every other repository stay read-only.`,
      suggestion: 'review `git config --list --local` in that repository after a run',
    });
  }
  const copies = profile.folders.filter((f) => f.access === 'copy');
  const named = rs.rules.filter((r) => (r.kind === 'read' || r.kind === 'write') && r.effect !== 'allow' && copies.some((f) => r.pattern === f.path || r.pattern.startsWith(`${f.path.replace(/\/$/, '')}/`)));
  if (named.length > 0) {
    out.push({
      severity: 'info',
      code: 'deny-covers-copy',
      message: `${named.map((r) => r.text).join('; ')} (${lines(named)}) name${named.length > 1 ? '' : 's'} paths in a copy folder: they apply to its copy in the workspace too (a denied read leaves the file out of the copy and masks it there; a denied write keeps the copy read-only).`,
      suggestion: null,
    });
  }
  const writable = [...(profile.workspace ? [profile.workspace] : []), ...rw.map((f) => f.path)];
  const idle = allowWrites.filter((r) => globOutsideWritable(r.pattern, writable) !== null);
  if (idle.length > 0) {
    out.push({
      severity: 'low',
      code: 'write-glob-grants-nothing',
      message: `${idle.map((r) => r.text).join('; ')} (${lines(idle)}) grant${idle.length > 1 ? '' : 's'} nothing: a glob only lifts protections inside the workspace and read-write folders, and ${idle.map((r) => globOutsideWritable(r.pattern, writable)).join(', ')} is in neither.`,
      suggestion: `name the folder to let the agent write it: ${idle.map((r) => `allow write ${globOutsideWritable(r.pattern, writable)}`).join('; ')}`,
    });
  }
  const writes = allowWrites.filter((r) => !namesOneGitConfig(r.pattern) && reopensProtected(r.pattern) && !idle.includes(r));
  if (writes.length > 0) {
    out.push({
      severity: 'medium',
      code: 'write-reopens-protected',
      message: `${writes.map((r) => r.text).join('; ')} (${lines(writes)}) can write to ${PROTECTED_BY_DEFAULT.join(', ')}: code planted there runs later outside the sandbox (git hooks, your shell, your editor).`,
      suggestion: 'narrow the write rule to the files the task needs, or add "deny write **/.git/hooks/**"',
    });
  } else {
    out.push({
      severity: 'info',
      code: 'protected-by-default',
      message: `In the workspace${rw.length > 0 ? ' and rw folders' : ''} Paddock keeps ${PROTECTED_BY_DEFAULT.join(', ')} read-only by default, so the agent cannot plant code that runs later outside the sandbox. ${GIT_CONFIG_HINT}.`,
      suggestion: gitConfigs.length > 0 ? null : 'allow write REPO/.git/config (only when the agent must set up git in REPO)',
    });
  }
  return out;
}

/** Findings about resource limits. */
export function limitFindings(profile: Profile): GapFinding[] {
  const { memory, processes, cpu } = profile.limits;
  const missing = [memory === null ? 'memory' : null, processes === null ? 'processes' : null, cpu === null ? 'cpu' : null].filter((x): x is string => x !== null);
  if (missing.length === 0) return [];
  const all = missing.length === 3;
  return [
    {
      severity: memory === null || processes === null ? 'medium' : 'low',
      code: 'limits-missing',
      message: `${all ? 'No limits are set' : `No ${missing.join(' or ')} limit is set`}: fork bombs, memory hogs and crypto miners are held back only by Paddock's defaults.`,
      suggestion: `limits: { ${[memory === null ? 'memory: 2GiB' : null, processes === null ? 'processes: 256' : null, cpu === null ? 'cpu: 1.0' : null].filter(Boolean).join(', ')} }`,
    },
  ];
}
