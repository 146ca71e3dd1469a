import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import { isWithin } from './layout.js';

/**
 * The paths of the Unix sockets bound in this network namespace, from `/proc/net/unix` (its text,
 * for tests): absolute file-system names only (abstract names start with `@`; a socket bound by a
 * relative name lists that name, which says nowhere where it is).
 */
export function boundSocketPaths(procNetUnix: string): string[] {
  const out: string[] = [];
  for (const line of procNetUnix.split('\n').slice(1)) {
    // Num: RefCount Protocol Flags Type St Inode Path (the path may hold spaces).
    const m = /^\s*[0-9a-f]+: [0-9a-f]+ [0-9a-f]+ [0-9a-f]+ [0-9a-f]+ [0-9a-f]+ \d+ (\/.*)$/i.exec(line);
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}

/**
 * The socket files of programs outside the sandbox (the host's network namespace, where Paddock
 * runs) that lie in a folder visible inside (`roots`: real paths), to be masked with an empty file.
 * Threat: a Unix socket is reached through the file system, not the network, so a host program's
 * socket in a granted folder (a dev server's `app.sock`, `tmux -S`, an SSH ControlMaster, a Docker
 * or gpg-agent socket; even under `ro`: connecting writes nothing) would let the agent drive it
 * with no proxy decision (attack pass I). The agent's own sockets live in its own namespace and are
 * not listed. Throws when the list cannot be read (fail closed).
 */
export function hostSocketMasks(roots: readonly string[], procNetUnix?: string): string[] {
  let text = procNetUnix;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/net/unix', 'utf8');
    } catch (err) {
      throw new PaddockError('E_SANDBOX_UNAVAILABLE', `Cannot list the host's Unix sockets (/proc/net/unix: ${(err as Error).message}), so those in granted folders cannot be hidden from the agent; mount /proc and try again.`);
    }
  }
  const out = new Set<string>();
  for (const bound of boundSocketPaths(text)) {
    let real: string;
    try {
      // The folder by its real path (the roots are real paths); the socket itself is never followed.
      real = path.join(realpathSync.native(path.dirname(bound)), path.basename(bound));
    } catch {
      continue; // removed since it was bound: nothing to reach there
    }
    if (!roots.some((r) => isWithin(real, r))) continue;
    let isSocket = false;
    try {
      isSocket = lstatSync(real).isSocket();
    } catch {
      // gone
    }
    if (isSocket) out.add(real);
  }
  return [...out].sort();
}
