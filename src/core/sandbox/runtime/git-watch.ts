import { type FSWatcher, lstatSync, watch } from 'node:fs';
import path from 'node:path';

/** Most folders watched per run (threat: exhausting the host's inotify watches). */
const MAX_DIRS = 8192;

/** Names whose appearance or change can make a folder a git repository or change what it runs. */
/** Git dir subfolders not watched (loose objects: up to 256 folders per repository). */
const SKIP_IN_GIT_DIR = new Set(['objects', 'logs', 'lfs']);

const GIT_NAMES = new Set(['.git', 'HEAD', 'config', 'config.worktree', 'commondir', 'hooks', 'objects', 'refs']);

/**
 * Watches the folders of the writable trees (up to MAX_DIRS, new folders included as they appear)
 * and reports each folder where a git control name was created or changed, and each new folder
 * (whose content may predate its watch). The caller checks them; the end-of-run scan stays the
 * complete check.
 */
export class GitWatch {
  private readonly watchers = new Map<string, FSWatcher>();
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** True when there were more folders than MAX_DIRS: the rest are checked at the end only. */
  saturated = false;

  constructor(
    private readonly onChange: (dirs: { changed: string[]; added: string[] }) => void,
    private readonly listFolders: (root: string) => Promise<string[]>,
  ) {}

  start(folders: readonly string[]): void {
    for (const d of folders) this.add(d);
  }

  private add(dir: string): boolean {
    if (this.stopped || this.watchers.has(dir)) return false;
    if (this.watchers.size >= MAX_DIRS) {
      this.saturated = true;
      return false;
    }
    try {
      const w = watch(dir, { persistent: false }, (_ev, file) => void this.event(dir, file === null ? null : String(file)).catch(() => undefined));
      w.on('error', () => this.watchers.delete(dir));
      this.watchers.set(dir, w);
      return true;
    } catch {
      return false;
    }
  }

  private added: string[] = [];

  private async event(dir: string, file: string | null): Promise<void> {
    if (this.stopped) return;
    const relevant = file === null || GIT_NAMES.has(file) || path.basename(dir) === 'hooks';
    let fresh = false;
    if (file !== null && !this.watchers.has(path.join(dir, file))) {
      const p = path.join(dir, file);
      const skip = SKIP_IN_GIT_DIR.has(file) && lstatSync(path.join(dir, 'HEAD'), { throwIfNoEntry: false });
      if (!skip && lstatSync(p, { throwIfNoEntry: false })?.isDirectory()) {
        // A new folder: watch it and what it already holds (it may have been filled before the watch).
        this.add(p);
        for (const d of await this.listFolders(p)) this.add(d);
        this.added.push(p);
        fresh = true;
      }
    }
    if (!relevant && !fresh) return;
    if (relevant) this.pending.add(dir);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      const changed = [...this.pending];
      const added = this.added;
      this.pending = new Set();
      this.added = [];
      if (!this.stopped) this.onChange({ changed, added });
    }, 50);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
