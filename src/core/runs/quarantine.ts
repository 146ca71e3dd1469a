import { randomBytes } from 'node:crypto';
import { closeSync, constants, cpSync, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';

import type { QuarantineItem } from '../../shared/api.js';

export type { QuarantineItem } from '../../shared/api.js';

const ID_RE = /^q-[0-9a-f]{12}$/;

export const quarantineRoot = (dataDir: string): string => path.join(dataDir, 'quarantine');

/** rename, or copy + remove across file systems; links are copied as links, never followed. */
function move(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    cpSync(from, to, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false, preserveTimestamps: true });
    rmSync(from, { recursive: true, force: true });
  }
}

/**
 * Moves `target` into `<data-dir>/quarantine/<id>/item` (out of every sandbox: the agent cannot
 * put it back) and records why. Threat: a git setting or hook the agent planted running on the host.
 */
export function quarantine(dataDir: string, o: { agent: string; run: string; path: string; reasons: string[] }): QuarantineItem {
  const id = `q-${randomBytes(6).toString('hex')}`;
  const dir = path.join(quarantineRoot(dataDir), id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const item: QuarantineItem = { id, agent: o.agent, run: o.run, path: o.path, reasons: o.reasons, ts: new Date().toISOString() };
  writeFileSync(path.join(dir, 'item.json'), `${JSON.stringify(item, null, 2)}\n`, { mode: 0o600 });
  // The folder it was taken from, by identity: a restore goes back into that folder and no other.
  const st = statSync(path.dirname(o.path));
  writeFileSync(path.join(dir, 'parent.json'), `${JSON.stringify({ dev: st.dev, ino: st.ino })}\n`, { mode: 0o600 });
  move(o.path, path.join(dir, 'item'));
  return item;
}

/** Everything in quarantine, oldest first. */
export function listQuarantine(dataDir: string): QuarantineItem[] {
  const root = quarantineRoot(dataDir);
  if (!existsSync(root)) return [];
  const out: QuarantineItem[] = [];
  for (const id of readdirSync(root)) {
    if (!ID_RE.test(id)) continue;
    try {
      const item = JSON.parse(readFileSync(path.join(root, id, 'item.json'), 'utf8')) as QuarantineItem;
      if (item.id === id && lstatSync(path.join(root, id, 'item'), { throwIfNoEntry: false })) out.push(item);
    } catch {
      // a half-written entry (the host died while moving): nothing to restore
    }
  }
  return out.sort((a, b) => a.ts.localeCompare(b.ts));
}

/** The events an item's restore looks up its alert in (the store's event repository). */
interface AlertSource {
  query(q: { agent?: string; kindPrefix?: string; limit?: number }): ReadonlyArray<Record<string, unknown>>;
}

/**
 * The event that records a restore (the user's decision, on the record like the alert it answers).
 * Its path is the one the item's `git-plant` alert logged, which the run's secret masks had already
 * shown as `[secret NAME]`. Threat: a restore runs in a host that never ran the agent (or after its
 * run), which holds no masks for its secrets, so a planted folder named after a secret
 * (`r-$TOKEN/.git`) put the value in clear into the append-only log (attack pass H).
 */
export function restoredEvent(item: QuarantineItem, events: AlertSource) {
  const alert = events.query({ agent: item.agent, kindPrefix: 'alert', limit: 100_000 }).find((e) => e.type === 'git-plant' && e.quarantine === item.id);
  const shown = typeof alert?.path === 'string' ? alert.path : item.path;
  return { kind: 'fs.change', agent: item.agent, run: null, path: shown, change: 'quarantine-restored', quarantine: item.id } as const;
}

/** The identity of the folder an item was quarantined from, or null (an item made before it was recorded). */
function recordedParent(dir: string): { dev: number; ino: number } | null {
  try {
    const p = JSON.parse(readFileSync(path.join(dir, 'parent.json'), 'utf8')) as { dev?: unknown; ino?: unknown };
    return typeof p.dev === 'number' && typeof p.ino === 'number' ? { dev: p.dev, ino: p.ino } : null;
  } catch {
    return null;
  }
}

/**
 * Puts an item back where it was; refuses when something is there now, or when the path's folder is
 * no longer the one it was taken from. Threat: the agent (which writes that tree) replacing a folder
 * on the path with a link to a host folder of its choosing (`newrepo -> ~`), so that the restore
 * planted its own quarantined `.git` (hooks, `core.fsmonitor`) there, outside every grant. The
 * item is moved into the folder opened and checked, never through the path again.
 */
export function restoreQuarantine(dataDir: string, id: string): QuarantineItem {
  const item = ID_RE.test(id) ? listQuarantine(dataDir).find((i) => i.id === id) : undefined;
  if (!item) throw new PaddockError('E_NOT_FOUND', `nothing in quarantine has the id "${id}"; list them with paddock quarantine`);
  if (lstatSync(item.path, { throwIfNoEntry: false }))
    throw new PaddockError('E_EXISTS', `${item.path} exists again; move it aside first if you want the quarantined one back`);
  const parent = path.dirname(item.path);
  if (!existsSync(parent)) throw new PaddockError('E_NOT_FOUND', `the folder ${parent} is gone; recreate it first to restore ${item.path}`);
  const dir = path.join(quarantineRoot(dataDir), id);
  const want = recordedParent(dir);
  const fd = openSync(parent, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    const st = fstatSync(fd);
    const same = want ? st.dev === want.dev && st.ino === want.ino : realpathSync(parent) === parent;
    if (!same)
      throw new PaddockError(
        'E_FORBIDDEN',
        `${parent} is not the folder ${path.basename(item.path)} was quarantined from (a link or a replaced folder on the path leads elsewhere now); restore refused. Check the path, or copy the item out of ${path.join(dir, 'item')} yourself after reviewing it`,
      );
    const viaFd = `/proc/self/fd/${fd}`;
    const dest = existsSync(viaFd) ? path.join(viaFd, path.basename(item.path)) : item.path;
    if (lstatSync(dest, { throwIfNoEntry: false }))
      throw new PaddockError('E_EXISTS', `${item.path} exists again; move it aside first if you want the quarantined one back`);
    move(path.join(dir, 'item'), dest);
  } finally {
    closeSync(fd);
  }
  rmSync(dir, { recursive: true, force: true });
  return item;
}
