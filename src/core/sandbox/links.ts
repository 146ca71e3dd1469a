import { closeSync, constants as fsConstants, fstatSync, lstatSync, openSync, readlinkSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import { isWithin } from './layout.js';

/** A grant path that goes through a symbolic link someone other than the user could have planted. */
export class GrantRedirectError extends PaddockError {
  constructor(
    readonly given: string,
    readonly link: string,
    readonly target: string,
    /** Why the link is not trusted: the agent-writable folder it lies in, or the folder's owner/mode. */
    readonly why: string,
    what: string,
  ) {
    super(
      'E_FOLDER',
      `Cannot use ${given} as ${what}: it goes through the symbolic link ${link} (to ${target}), ${why}, so it may have been planted to redirect the grant. Nothing was bound. If you made that link, write its real path (${target}) in the profile; otherwise remove the link and put the folder back.`,
    );
    this.name = 'GrantRedirectError';
  }
}

/** Who may have written a folder besides the user. */
export interface LinkTrust {
  /** Real (and given) paths of every folder any agent can write: its home, workspace, rw folders, write rules. */
  agentWritable: readonly string[];
  /** The user Paddock runs as. */
  uid: number;
}

const MAX_LINKS = 40; // the kernel's own limit (ELOOP)

/** lstat, or null when the path does not exist (or a component on the way is not a folder). */
function lstatQuiet(p: string): Stats | null {
  try {
    return lstatSync(p, { throwIfNoEntry: false }) ?? null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

/** Why a symlink in folder `dir` (a real path) may not be the user's, or null when only the user (or root) could have made it. */
function untrusted(dir: string, link: { uid: number }, trust: LinkTrust): string | null {
  const agent = trust.agentWritable.find((w) => isWithin(dir, w));
  if (agent !== undefined) return `inside ${agent}, which an agent can write`;
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st) return `inside ${dir}, which could not be checked`;
  const mine = (uid: number): boolean => uid === trust.uid || uid === 0;
  if (!mine(st.uid)) return `inside ${dir}, which belongs to another user (uid ${st.uid})`;
  // A sticky, world-writable folder (/tmp): others can add entries but not replace the user's own.
  if ((st.mode & 0o022) !== 0 && !((st.mode & 0o1000) !== 0 && mine(link.uid))) return `inside ${dir}, which other users can write`;
  return null;
}

/**
 * Resolves `given` to its real path one component at a time, following only symbolic links that
 * nobody but the user could have made. Threat: an agent (or another user) that can write a folder
 * on the way to a grant replaces a folder there with a link (`rm -rf docs; ln -s /private docs`),
 * and the next start of any agent granted a path through it binds wherever the link points.
 * Components that do not exist yet are appended as given (`exists` false).
 */
export function resolveTrusted(given: string, what: string, trust: LinkTrust): { real: string; exists: boolean } {
  const abs = path.resolve(given);
  let cur = path.parse(abs).root;
  const todo = abs.split(path.sep).filter(Boolean);
  let hops = 0;
  while (todo.length > 0) {
    const seg = todo.shift()!;
    if (seg === '.') continue;
    if (seg === '..') {
      cur = path.dirname(cur);
      continue;
    }
    const next = path.join(cur, seg);
    const st = lstatQuiet(next);
    if (!st) return { real: path.join(next, ...todo), exists: false };
    if (!st.isSymbolicLink()) {
      cur = next;
      continue;
    }
    const target = readlinkSync(next);
    const why = untrusted(cur, st, trust);
    if (why !== null) throw new GrantRedirectError(given, next, path.resolve(cur, target), why, what);
    if (++hops > MAX_LINKS) throw new PaddockError('E_FOLDER', `Cannot use ${given} as ${what}: too many symbolic links on the way. Write the real path in the profile.`);
    if (path.isAbsolute(target)) cur = path.parse(target).root;
    todo.unshift(...target.split(path.sep).filter(Boolean));
  }
  return { real: cur, exists: true };
}

/** A granted path held open (O_PATH) from the moment it was checked until the sandbox has bound it. */
export interface Pin {
  /** Our fd (close-on-exec): handed to bwrap (`--bind-fd`) by the launcher or spawn. */
  fd: number;
  /** The checked real path and the identity of what was there (the launcher checks it again). */
  path: string;
  dev: bigint;
  ino: bigint;
}

const O_PATH = 0o10000000; // Linux (every architecture Paddock runs on); Node does not export it

/**
 * Opens a checked real path without following a link at its end, and makes sure it is still the
 * path that was checked: `/proc/self/fd/N` names where the open landed, so a folder on the way
 * swapped for a link after the check shows up as another path. Threat: the check-to-use race (an
 * agent swapping a folder between Paddock's check and bwrap's bind); bwrap then binds this very
 * inode (`--bind-fd`, which itself verifies the mount against the fd).
 */
export function pinPath(real: string, what: string): Pin {
  let fd: number;
  try {
    fd = openSync(real, O_PATH | fsConstants.O_NOFOLLOW);
  } catch (e) {
    throw new PaddockError('E_FOLDER', `Cannot use ${real} as ${what}: it changed while the agent was starting (${(e as NodeJS.ErrnoException).code}). Check the folder and start again.`);
  }
  try {
    const landed = readlinkSync(`/proc/self/fd/${fd}`);
    const st = fstatSync(fd, { bigint: true });
    if (landed !== real || st.isSymbolicLink()) {
      throw new GrantRedirectError(real, real, landed, 'changed while the agent was starting (a folder on the way was replaced)', what);
    }
    return { fd, path: real, dev: st.dev, ino: st.ino };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
