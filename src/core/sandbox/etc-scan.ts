/**
 * The /etc entries that are not world-readable (masked in every sandbox), cached between
 * launches. Scanning /etc costs several ms per launch (about a thousand lstat calls), so the
 * result is kept — and dropped as soon as anything under a scanned directory changes: each
 * directory is watched (inotify, through fs.watch) *before* it is read, so a change made after
 * it was read always invalidates the cache. Where a watch cannot be set (inotify limits), the
 * scan is used once and not kept.
 * Threat: a stale cache hiding a newly created or chmod-ed secret in /etc from the masks.
 */
import { watch, type FSWatcher } from 'node:fs';
import { walkTree, type WalkBudget } from './walk.js';

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

async function scan(root: string, budget: WalkBudget): Promise<Scan> {
  const s: Scan = { root, entries: [], watchers: [], valid: true };
  const watchDir = (dir: string): void => {
    try {
      const w = watch(dir, { persistent: false }, () => drop(s));
      w.on('error', () => drop(s));
      s.watchers.push(w);
    } catch {
      s.valid = false; // not watchable: this result is used once, never cached
    }
  };
  await walkTree(
    root,
    budget,
    (abs, st) => {
      if (abs === root || (st.mode & 0o004) !== 0) return 'descend';
      s.entries.push({ path: abs, dir: st.isDirectory() });
      return 'skip';
    },
    { beforeRead: watchDir },
  );
  return s;
}

/** The entries under `root` (default /etc) that others cannot read: from the cache while nothing changed. */
export async function privateEtcEntries(budget: WalkBudget, root = '/etc'): Promise<readonly EtcEntry[]> {
  if (cached && cached.valid && cached.root === root) return cached.entries;
  if (cached) drop(cached);
  const s = await scan(root, budget);
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
