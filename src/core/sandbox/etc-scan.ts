/**
 * The /etc entries that are not world-readable (masked in every sandbox), cached between
 * launches. Scanning /etc costs several ms per launch (about a thousand lstat calls), so the
 * result is kept — and dropped as soon as anything under a scanned directory changes: each
 * directory is watched (inotify, through fs.watch) *before* it is read, so a change made after
 * it was read always invalidates the cache. Where a watch cannot be set (inotify limits), the
 * scan is used once and not kept.
 * Threat: a stale cache hiding a newly created or chmod-ed secret in /etc from the masks.
 */
import { lstatSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import type { WalkBudget } from './walk.js';

export interface EtcEntry {
  path: string;
  dir: boolean;
}

interface Scan {
  root: string;
  entries: EtcEntry[];
  watchers: FSWatcher[];
  valid: boolean;
}

let cached: Scan | null = null;

function drop(s: Scan): void {
  s.valid = false;
  for (const w of s.watchers) w.close();
  s.watchers = [];
  if (cached === s) cached = null;
}

function scan(root: string, budget: WalkBudget): Scan {
  const s: Scan = { root, entries: [], watchers: [], valid: true };
  const rootSt = lstatSync(root, { throwIfNoEntry: false });
  if (!rootSt || !rootSt.isDirectory()) return s;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    try {
      const w = watch(dir, { persistent: false }, () => drop(s));
      w.on('error', () => drop(s));
      s.watchers.push(w);
    } catch {
      s.valid = false; // not watchable: this result is used once, never cached
    }
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue; // unreadable for Paddock: unreadable for the agent too
    }
    budget.left -= names.length;
    if (budget.left < 0) throw new PaddockError('E_FOLDER', `Too many files under ${root} to check which are private; this is unusual for ${root}, please report it.`);
    for (const name of names.sort()) {
      const abs = path.join(dir, name);
      const st = lstatSync(abs, { throwIfNoEntry: false });
      if (!st || st.isSymbolicLink()) continue;
      if ((st.mode & 0o004) !== 0) {
        if (st.isDirectory()) stack.push(abs);
        continue;
      }
      s.entries.push({ path: abs, dir: st.isDirectory() });
    }
  }
  return s;
}

/** The entries under `root` (default /etc) that others cannot read: from the cache while nothing changed. */
export function privateEtcEntries(budget: WalkBudget, root = '/etc'): readonly EtcEntry[] {
  if (cached && cached.valid && cached.root === root) return cached.entries;
  if (cached) drop(cached);
  const s = scan(root, budget);
  if (s.valid) cached = s;
  else drop(s);
  return s.entries;
}

/** Test hook: whether the next call for `root` would be answered from the cache. */
export function etcScanCached(root = '/etc'): boolean {
  return cached !== null && cached.valid && cached.root === root;
}

/** Test hook: drop the cache and its watches. */
export function resetEtcScan(): void {
  if (cached) drop(cached);
}
