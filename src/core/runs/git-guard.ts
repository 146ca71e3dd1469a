import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NewEvent } from '../../shared/events.schema.js';
import { PaddockError } from '../../shared/errors.js';
import { findPlants, GitWatch, MAX_WALK_ENTRIES, scanGitTrees, shallowScan, type GitPlant, type GitScan, type GitSnapshot } from '../sandbox/index.js';
import type { DataPaths } from '../data-dir/index.js';
import { quarantine } from './quarantine.js';
import { findLinkPlants } from './link-plants.js';

/** How many entries the end-of-run scan may inspect (the agent may have added many files). */
const END_SCAN_ENTRIES = 4 * MAX_WALK_ENTRIES;

interface SavedSnapshot {
  run: string;
  roots: string[];
  files: Array<[string, string]>;
  /** Folders the agent may write and the run's start (ms): for links planted towards the host (older records lack them). */
  visible?: string[];
  since?: number;
}

const snapshotFile = (paths: DataPaths, agent: string): string => path.join(paths.agentDir(agent), 'git-snapshot.json');

/**
 * Threat: the agent plants a git setting or hook that runs a program (`core.fsmonitor`,
 * `core.hooksPath`, a `.git` file pointing at its own git dir, a bare-looking folder, an executable
 * hook) in a folder the user's own git later walks — shell prompts and IDEs run `git status` by
 * themselves, as the user. The guard records the git control files of the writable trees before
 * the run, watches them during the run (alert + pause), and after the run moves every planted one
 * that can run a program into quarantine (alert). The record is kept on disk until the end-of-run
 * check is done, so a host that died mid-run checks at the agent's next start.
 */
export class GitGuard {
  private watcher: GitWatch | null = null;
  private readonly cache = new Map<string, string[]>();
  private readonly alerted = new Set<string>();

  private constructor(
    private readonly paths: DataPaths,
    private readonly agent: string,
    private readonly run: string,
    private readonly roots: string[],
    private readonly before: GitSnapshot,
    private readonly log: (e: NewEvent) => void,
    private readonly folders: string[] = [],
    private readonly links: { visible: string[]; since: number } | null = null,
  ) {}

  /** Records the trees' git control files before the run (fail closed: an unfinished record means no run). */
  static async begin(o: { paths: DataPaths; agent: string; run: string; roots: string[]; visible?: string[]; log: (e: NewEvent) => void }): Promise<GitGuard> {
    const since = Date.now();
    const scan = await scanGitTrees(o.roots, { left: MAX_WALK_ENTRIES });
    if (!scan.complete)
      throw new PaddockError('E_FOLDER', `Too many files in the writable folders (${o.roots.join(', ')}) to record their git settings before the run; grant smaller folders.`);
    const saved: SavedSnapshot = { run: o.run, roots: o.roots, files: [...scan.files], ...(o.visible ? { visible: o.visible, since } : {}) };
    writeFileSync(snapshotFile(o.paths, o.agent), JSON.stringify(saved), { mode: 0o600 });
    return new GitGuard(o.paths, o.agent, o.run, o.roots, scan.files, o.log, scan.folders, o.visible ? { visible: o.visible, since } : null);
  }

  /** A record left by a run whose end was never checked (the host died): check it now. */
  static async recover(o: { paths: DataPaths; agent: string; log: (e: NewEvent) => void }): Promise<void> {
    let saved: SavedSnapshot;
    try {
      saved = JSON.parse(readFileSync(snapshotFile(o.paths, o.agent), 'utf8')) as SavedSnapshot;
    } catch {
      return;
    }
    const links = saved.visible && typeof saved.since === 'number' ? { visible: saved.visible, since: saved.since } : null;
    await new GitGuard(o.paths, o.agent, saved.run, saved.roots, new Map(saved.files), o.log, [], links).end();
  }

  /** Watches the trees during the run; `onPlant` is told (once per finding) so the run can be paused. */
  watch(onPlant: (p: GitPlant) => void): void {
    this.watcher = new GitWatch(
      ({ changed, added }) => void this.check(changed, added, onPlant).catch(() => undefined),
      async (root) => (await scanGitTrees([root], { left: MAX_WALK_ENTRIES })).folders,
    );
    this.watcher.start(this.folders);
  }

  private async check(changed: string[], added: string[], onPlant: (p: GitPlant) => void): Promise<void> {
    const scan: GitScan = { files: new Map(), dirs: [], folders: [], complete: true };
    for (const d of changed) scan.dirs.push(...shallowScan(d).dirs);
    for (const d of added) scan.dirs.push(...(await scanGitTrees([d], { left: MAX_WALK_ENTRIES })).dirs);
    for (const p of await findPlants(scan, this.before, this.roots, { agentWritable: [...this.roots, this.paths.agentHome(this.agent)], cache: this.cache })) {
      const key = `${p.gitDir}\0${p.reasons.join('\0')}`;
      if (this.alerted.has(key)) continue;
      this.alerted.add(key);
      this.log({
        kind: 'alert', agent: this.agent, run: this.run, type: 'git-plant', path: p.neutralise[0] ?? p.gitDir, reasons: p.reasons,
        message: `The agent made ${p.gitDir} run a program when your git is used there (${p.reasons.join('; ')}); ${this.agent} was paused. It will be moved to quarantine when the run ends.`,
      });
      onPlant(p);
    }
  }

  stopWatching(): void {
    this.watcher?.stop();
  }

  /** The run is over: quarantine what was planted, alert, and drop the record. */
  async end(): Promise<void> {
    this.stopWatching();
    let scan: GitScan;
    let plants: GitPlant[];
    try {
      scan = await scanGitTrees(this.roots, { left: END_SCAN_ENTRIES });
      plants = await findPlants(scan, this.before, this.roots, { agentWritable: [...this.roots, this.paths.agentHome(this.agent)], cache: this.cache });
    } catch (e) {
      // Fail loud: the record stays, so the next start checks again.
      this.log({
        kind: 'alert', agent: this.agent, run: this.run, type: 'git-plant', path: this.roots[0] ?? '',
        message: `The check of ${this.roots.join(', ')} for planted git settings failed (${(e as Error).message}); do not use git there before checking for unexpected .git folders or files. It runs again at the agent's next start.`,
      });
      return;
    }
    for (const p of plants) {
      for (const target of p.neutralise) {
        try {
          const q = quarantine(this.paths.root, { agent: this.agent, run: this.run, path: target, reasons: p.reasons });
          this.log({
            kind: 'alert', agent: this.agent, run: this.run, type: 'git-plant', path: target, quarantine: q.id, reasons: p.reasons,
            message: `${target} was planted during the run and makes git run a program (${p.reasons.join('; ')}); it was moved to quarantine (${q.id}) so your git no longer runs it. Review it (paddock quarantine) and restore it only if you trust it: paddock quarantine restore ${q.id}`,
          });
        } catch (e) {
          this.log({
            kind: 'alert', agent: this.agent, run: this.run, type: 'git-plant', path: target, reasons: p.reasons,
            message: `${target} was planted during the run and makes git run a program (${p.reasons.join('; ')}), and could not be moved to quarantine (${(e as Error).message}). Remove it before using git in ${path.dirname(target)}.`,
          });
        }
      }
      if (!p.neutralise.length)
        this.log({
          kind: 'alert', agent: this.agent, run: this.run, type: 'git-plant', path: p.gitDir, reasons: p.reasons,
          message: `${p.gitDir} makes git run a program (${p.reasons.join('; ')}) and lies outside the folders Paddock may change. Check it before using git there.`,
        });
    }
    await this.endLinks();
    if (!scan.complete)
      this.log({
        kind: 'alert', agent: this.agent, run: this.run, type: 'git-plant', path: this.roots[0] ?? '',
        message: `The writable folders (${this.roots.join(', ')}) now hold too many files to check them all for planted git settings after the run; do not use git there before checking for unexpected .git folders or files.`,
      });
    unlinkIfThere(snapshotFile(this.paths, this.agent));
  }

  /** Links planted towards the host (see findLinkPlants): moved to quarantine, with an alert. */
  private async endLinks(): Promise<void> {
    if (!this.links) return;
    const budget = { left: END_SCAN_ENTRIES };
    let plants: Awaited<ReturnType<typeof findLinkPlants>>;
    try {
      plants = await findLinkPlants(this.roots, this.links.visible, this.links.since, budget);
    } catch (e) {
      plants = [];
      this.log({ kind: 'alert', agent: this.agent, run: this.run, type: 'link-plant', path: this.roots[0] ?? '', message: `The check of ${this.roots.join(', ')} for links to your files failed (${(e as Error).message}); look for unexpected symbolic links before writing into those folders.` });
    }
    for (const p of plants) {
      const reasons = [`a symbolic link to ${p.target}, outside every folder the agent may write`];
      try {
        const q = quarantine(this.paths.root, { agent: this.agent, run: this.run, path: p.link, reasons });
        this.log({
          kind: 'alert', agent: this.agent, run: this.run, type: 'link-plant', path: p.link, target: p.target, quarantine: q.id, reasons,
          message: `${p.link} is a link the agent made to ${p.target}, outside every folder it may write: your tools writing or copying it (a log, zip, rsync -L) would act on that file. It was moved to quarantine (${q.id}); restore it only if you trust it: paddock quarantine restore ${q.id}`,
        });
      } catch (e) {
        this.log({ kind: 'alert', agent: this.agent, run: this.run, type: 'link-plant', path: p.link, target: p.target, reasons, message: `${p.link} is a link the agent made to ${p.target}, outside every folder it may write, and could not be moved to quarantine (${(e as Error).message}); remove it.` });
      }
    }
  }

  /** The run never started: drop the record. */
  discard(): void {
    unlinkIfThere(snapshotFile(this.paths, this.agent));
  }
}

/** Removes a file if it is there (as rmSync(p, { force: true }), without loading Node's rimraf: ~1–2 ms of a run's start or end). */
function unlinkIfThere(p: string): void {
  try {
    unlinkSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
