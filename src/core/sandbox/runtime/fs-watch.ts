import { type FSWatcher, lstatSync, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { FsChangeEvent } from './types.js';

/** Most directories watched per run (threat: a deep tree exhausting the host's inotify watches). */
const MAX_DIRS = 8192;

/**
 * Watches a workspace for changes and reports them coalesced: all changes to one path within
 * `windowMs` become one fs.change event with a count; beyond `ratePerSec` paths per second the
 * rest become one summary event for the workspace. Our own inotify watch per directory, never
 * following symlinks (threat: a symlink to `/` making Paddock walk the host's filesystem), instead of
 * Node's recursive mode, which also polls every file.
 */
export class FsWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly pending = new Map<string, { change: string; count: number }>();
  private timer: NodeJS.Timeout | null = null;
  private windowStart = Date.now();
  private inWindow = 0;
  private overflow = 0;
  private closed = false;
  /** True once MAX_DIRS was reached: deeper changes go unreported. */
  saturated = false;

  /** Folders strictly inside the root that are neither watched nor reported. */
  private readonly excluded: string[];

  constructor(
    private readonly root: string,
    private readonly emit: (e: FsChangeEvent) => void,
    exclude: readonly string[] = [],
    private readonly windowMs = 250,
    private readonly ratePerSec = 100,
  ) {
    // A hidden data dir in the workspace: Paddock's own writes there (the log's WAL) were reported as
    // the agent's, and each report wrote the log again, one more change (a feedback loop of events).
    this.excluded = exclude.filter((d) => d !== root && d.startsWith(`${root}/`));
  }

  private isExcluded(p: string): boolean {
    return this.excluded.some((d) => p === d || p.startsWith(`${d}/`));
  }

  /** Starts watching (the initial walk is synchronous, so changes made after it returns are seen). */
  start(): void {
    this.addTree(this.root, false);
    this.timer = setInterval(() => this.flush(), this.windowMs);
    this.timer.unref();
  }

  private addTree(dir: string, reportEntries: boolean): void {
    if (this.closed || this.watchers.has(dir) || this.isExcluded(dir)) return;
    if (this.watchers.size >= MAX_DIRS) {
      this.saturated = true;
      return;
    }
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: false }, (type, name) => this.onEvent(dir, type, name));
    } catch {
      return;
    }
    w.on('error', () => this.drop(dir));
    this.watchers.set(dir, w);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      // Entries of a directory created during the run may predate its watch: report them too.
      if (reportEntries) this.record(full, 'created');
      if (e.isDirectory()) this.addTree(full, reportEntries);
    }
  }

  private drop(dir: string): void {
    for (const [d, w] of this.watchers) {
      if (d === dir || d.startsWith(`${dir}/`)) {
        w.close();
        this.watchers.delete(d);
      }
    }
  }

  private onEvent(dir: string, type: string, name: string | Buffer | null): void {
    if (name === null) return;
    const full = join(dir, name.toString());
    if (type === 'change') return this.record(full, 'modified');
    let isDir = false;
    let exists = true;
    try {
      isDir = lstatSync(full).isDirectory();
    } catch {
      exists = false;
    }
    this.record(full, exists ? 'created' : 'deleted');
    if (isDir) this.addTree(full, true);
    else if (!exists && this.watchers.has(full)) this.drop(full);
  }

  private record(path: string, change: string): void {
    if (this.isExcluded(path)) return;
    const p = this.pending.get(path);
    if (p) {
      p.count++;
      // A file created and then written in one window is reported as created.
      if (!(p.change === 'created' && change === 'modified')) p.change = change;
    } else this.pending.set(path, { change, count: 1 });
  }

  /** Emits the coalesced changes of the last window. */
  flush(): void {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      if (this.overflow > 0) this.emit({ kind: 'fs.change', path: this.root, change: 'many', count: this.overflow });
      this.overflow = 0;
      this.inWindow = 0;
      this.windowStart = now;
    }
    for (const [path, { change, count }] of this.pending) {
      if (this.inWindow >= this.ratePerSec) this.overflow += count;
      else {
        this.inWindow++;
        this.emit({ kind: 'fs.change', path, change, count });
      }
    }
    this.pending.clear();
  }

  /** Stops watching and emits what is pending. */
  stop(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.flush();
    if (this.overflow > 0) this.emit({ kind: 'fs.change', path: this.root, change: 'many', count: this.overflow });
    this.overflow = 0;
  }
}
