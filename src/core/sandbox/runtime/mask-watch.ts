import { existsSync, type FSWatcher, lstatSync, watch } from 'node:fs';
import path from 'node:path';

/** Most folders watched per run (threat: exhausting the host's inotify watches). */
const MAX_DIRS = 4096;

/**
 * Threat: a bind mount stays on the inode it covered. When a program on the host replaces a masked
 * or read-only file by renaming a new one over it (editors, `sed -i`, `git config`, `passwd`,
 * package upgrades), the new file at that path is not covered: a `deny read` file becomes readable
 * inside, a protected `.git/config` writable. This watches the folder of every covered path and
 * reports a path whose file is no longer the one that was covered (another inode, or gone), so the
 * run can be stopped before the agent uses it.
 */
export class MaskWatch {
  private readonly watchers: FSWatcher[] = [];
  private readonly covered = new Map<string, Map<string, number | null>>();
  private readonly lost = new Set<string>();
  /** True when there were more folders than MAX_DIRS: the rest are not watched. */
  saturated = false;
  private stopped = false;

  constructor(
    private readonly paths: readonly string[],
    private readonly onLost: (path: string) => void,
    /** Paths that do not exist and must not appear (reported like a replaced one when they do). */
    private readonly absent: readonly string[] = [],
  ) {}

  /** Records what each path is now and starts watching; covered paths that do not exist are skipped. */
  start(): void {
    for (const p of this.paths) {
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (st) this.record(p, st.ino);
    }
    for (const p of this.absent) this.record(p, null);
    for (const [dir, names] of this.covered) {
      try {
        const w = watch(dir, { persistent: false }, (_ev, file) => {
          // Without a file name (some kernels, overflow), every covered name of the folder is checked.
          for (const [name, ino] of names) if (file === null || file === name) this.check(path.join(dir, name), ino);
        });
        w.on('error', () => {});
        this.watchers.push(w);
      } catch {
        // the folder is gone: nothing left to replace there
      }
    }
    // Threat: a path that must stay absent, made by the agent between its launch and this watch
    // (a busy machine: its first command can win), is never reported by an event (attack pass I).
    for (const p of this.absent) if (this.covered.get(path.dirname(p))?.get(path.basename(p)) === null) this.check(p, null);
    // Threat: `mkdir -p ~/.config/systemd/user` when `systemd` did not exist: its folder could not be
    // watched, so the nearest folder that exists is, one level deeper at each step (attack pass I).
    for (const p of this.absent) if (!existsSync(path.dirname(p))) this.anchor(p);
  }

  /** Watches the nearest existing folder above an absent path whose own folder does not exist yet. */
  private anchor(p: string): void {
    if (this.stopped || this.lost.has(p) || this.watchers.length >= MAX_DIRS) return;
    let a = path.dirname(p);
    while (!existsSync(a) && path.dirname(a) !== a) a = path.dirname(a);
    const own = a === path.dirname(p);
    try {
      const w = watch(a, { persistent: false }, (_ev, file) => {
        if (own) {
          if (file === null || file === path.basename(p)) this.check(p, null);
          return;
        }
        w.close();
        this.anchor(p); // one level deeper (or the path's own folder) now
      });
      w.on('error', () => {});
      this.watchers.push(w);
    } catch {
      return;
    }
    // What appeared between finding the folder and watching it.
    if (own) this.check(p, null);
    else if (existsSync(path.join(a, path.relative(a, p).split(path.sep)[0] ?? ''))) this.anchor(p);
  }

  /** What `p` must stay: this inode, or (null) absent. Past MAX_DIRS folders, nothing more is watched. */
  private record(p: string, ino: number | null): void {
    const dir = path.dirname(p);
    let names = this.covered.get(dir);
    if (!names) {
      if (this.covered.size >= MAX_DIRS) {
        this.saturated = true;
        return;
      }
      names = new Map();
      this.covered.set(dir, names);
    }
    names.set(path.basename(p), ino);
  }

  private check(p: string, ino: number | null): void {
    if (this.lost.has(p)) return;
    const now = lstatSync(p, { throwIfNoEntry: false })?.ino ?? null;
    if (now === ino) return;
    this.lost.add(p);
    this.onLost(p);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers.splice(0)) w.close();
    // The run is over: a path that must stay absent and is there now is still reported (a race lost above).
    for (const p of this.absent) this.check(p, null);
  }
}
