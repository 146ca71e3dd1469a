/**
 * Places an agent's decoys in its home before a run, and remembers which files Paddock made (a
 * manifest beside the home, in the data dir, which no sandbox sees). A file at a decoy's path that
 * is not ours (the user's or the agent's) is never touched, and that decoy is not placed.
 */
import { createHash } from 'node:crypto';
import { closeSync, fchmodSync, lstatSync, lutimesSync, mkdirSync, openSync, readFileSync, renameSync, utimesSync, writeFileSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { generateDecoys, type DecoySpec } from './generate.js';

/** A decoy as remembered: its spec plus the inode it was placed at (0 while not placed). */
export interface PlacedDecoy extends DecoySpec {
  sha256: string;
  ino: number;
}

interface Manifest {
  version: 1;
  /** Seconds since the epoch given to every decoy file (weeks before the agent first ran). */
  time: number;
  decoys: PlacedDecoy[];
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The manifest's path: beside the agent's home, never inside it. */
export function manifestPath(agentDir: string): string {
  return join(agentDir, 'decoys.json');
}

function readManifest(file: string): Manifest | null {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    return m.version === 1 && Array.isArray(m.decoys) ? m : null;
  } catch {
    return null;
  }
}

function writeManifest(file: string, m: Manifest): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(m), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/**
 * A decoy's bytes, read without moving its access time. Threat: Paddock's own check at each start
 * making the access time recent, so that (relatime) the agent's first read moves nothing and the
 * access-time checks — the catch-up before the inotify watch is ready, the polling fallback — miss it.
 */
function readQuietly(p: string): string {
  let fd: number;
  try {
    fd = openSync(p, constants.O_RDONLY | constants.O_NOFOLLOW | (constants.O_NOATIME ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e; // O_NOATIME: owner only
    fd = openSync(p, constants.O_RDONLY | constants.O_NOFOLLOW);
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** True when the file at `p` is the decoy we placed (same inode, same bytes). */
function isOurs(p: string, d: PlacedDecoy): boolean {
  try {
    const st = lstatSync(p);
    return st.isFile() && d.ino !== 0 && st.ino === d.ino && sha(readQuietly(p)) === d.sha256;
  } catch {
    return false;
  }
}

/**
 * Puts a decoy's access time back to its old time when something read it since (the agent in an
 * earlier run, caught or not, or a host program). Threat: under relatime a file read within the last
 * day is not marked again, so the access-time checks would miss the next run's reads.
 */
function rewindAccessTime(p: string, time: number): void {
  try {
    if (Math.floor(lstatSync(p).atimeMs / 1000) !== time) lutimesSync(p, time, time);
  } catch {
    // Best effort: the inotify watch does not depend on it.
  }
}

/**
 * Creates the missing folders of `rel` under `home`. Returns false when a component exists and is
 * not a plain folder. Threat: a symlink planted by the agent (`~/.aws -> /elsewhere`) making
 * Paddock write outside the home.
 */
function ensureParents(home: string, rel: string, made: string[]): boolean {
  const parts = rel.split('/').slice(0, -1);
  let dir = home;
  for (const part of parts) {
    dir = join(dir, part);
    try {
      if (!lstatSync(dir).isDirectory()) return false;
    } catch {
      mkdirSync(dir, { mode: part === '.ssh' ? 0o700 : 0o755 });
      made.push(dir);
    }
  }
  return true;
}

/**
 * Ensures the agent's decoys are in its home and returns those in place (ours, unchanged).
 * Call only while no run of the agent is live (before launch).
 */
export function placeDecoys(agentDir: string, home: string, now: Date = new Date()): PlacedDecoy[] {
  const file = manifestPath(agentDir);
  let m = readManifest(file);
  // Written back only when something changed: this runs on every start.
  let changed = !m;
  if (!m) {
    // Weeks before now: a fresh file would stand out next to what looks like old credentials.
    const time = Math.floor(now.getTime() / 1000) - (21 + Math.floor(Math.random() * 35)) * 86400 - Math.floor(Math.random() * 86400);
    m = { version: 1, time, decoys: generateDecoys().map((d) => ({ ...d, sha256: sha(d.content), ino: 0 })) };
  }
  const placed: PlacedDecoy[] = [];
  for (const d of m.decoys) {
    const p = join(home, ...d.rel.split('/'));
    if (isOurs(p, d)) {
      rewindAccessTime(p, m.time);
      placed.push(d);
      continue;
    }
    let exists = true;
    try {
      lstatSync(p);
    } catch {
      exists = false;
    }
    // Threat (to the user's work): never replace a file the user or the agent made there.
    const made: string[] = [];
    if (exists || !ensureParents(home, d.rel, made)) {
      if (d.ino !== 0) changed = true;
      d.ino = 0;
      continue;
    }
    changed = true;
    let fd: number;
    try {
      // O_EXCL: fails on anything already there, symlinks included.
      fd = openSync(p, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, d.mode);
    } catch {
      d.ino = 0;
      continue;
    }
    try {
      writeSync(fd, d.content);
      fchmodSync(fd, d.mode);
    } finally {
      closeSync(fd);
    }
    // Old timestamps on the file and the folders we made (a fresh one would give the decoy away).
    for (const x of [p, ...made.reverse()]) utimesSync(x, m.time, m.time);
    d.ino = lstatSync(p).ino;
    placed.push(d);
  }
  if (changed) writeManifest(file, m);
  return placed;
}

/** The decoys of an agent as remembered (placed or not), without touching its home. */
export function listDecoys(agentDir: string, home: string): { path: string; kind: string; placed: boolean }[] {
  const m = readManifest(manifestPath(agentDir));
  if (!m) return [];
  // lstat only: opening a decoy while its run is watched would raise a false decoy-read.
  const sameInode = (p: string, d: PlacedDecoy): boolean => {
    try {
      const st = lstatSync(p);
      return st.isFile() && d.ino !== 0 && st.ino === d.ino && st.size === Buffer.byteLength(d.content);
    } catch {
      return false;
    }
  };
  return m.decoys.map((d) => ({ path: `~/${d.rel}`, kind: d.kind, placed: sameInode(join(home, ...d.rel.split('/')), d) }));
}
