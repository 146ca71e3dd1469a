/**
 * Whether the program a run starts can be found inside its sandbox. The likeliest first failure of
 * a new agent is a program installed where the sandbox cannot see it (`npm install -g` into the
 * user's home, `~/.local/bin`): bwrap or env then print a bare "No such file or directory". The
 * plan says so before the start, naming where the sandbox looks.
 */
import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';
import { isWithin } from './layout.js';

/** The program `command` runs: after `env`'s options and VAR=value words. */
function programOf(command: readonly string[]): string | null {
  let i = 0;
  if (path.basename(command[0] ?? '') === 'env') {
    i = 1;
    while (i < command.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(command[i]!) || /^-[a-zA-Z]+$/.test(command[i]!))) i++;
    // `env -u NAME` / `env -C DIR` take an argument: give up rather than guess.
    if (command.slice(1, i).some((a) => /^-[a-zA-Z]*[uCS]$/.test(a))) return null;
  }
  return command[i] ?? null;
}

/** True when `p` is an executable file whose real path lies in one of `roots` (what the sandbox shows). */
function visibleExecutable(p: string, roots: readonly string[]): boolean {
  try {
    const real = realpathSync.native(p);
    accessSync(real, constants.X_OK);
    return roots.some((r) => isWithin(real, r));
  } catch {
    return false;
  }
}

/**
 * A note when the program `command` starts is not found inside the sandbox (searched as the
 * sandbox's PATH would find it, among the folders the sandbox shows), else null.
 */
export function missingProgramNote(command: readonly string[], o: { pathDirs: readonly string[]; visibleRoots: readonly string[]; workspace: string; agent: string }): string | null {
  const program = programOf(command);
  // Paddock's own helpers (paddock-ask…) come from folders bound in by the run, not the host's.
  if (!program || program.startsWith('paddock-')) return null;
  const found = program.includes('/')
    ? visibleExecutable(path.resolve(o.workspace, program), o.visibleRoots)
    : o.pathDirs.some((d) => visibleExecutable(path.join(d, program), o.visibleRoots));
  if (found) return null;
  const what = program.includes('/')
    ? `${program} is not an executable file the sandbox can see (a relative path starts in the workspace)`
    : `${program} is not on the agent's PATH inside the sandbox (${o.pathDirs.join(':')})`;
  return `${what}: the sandbox sees /usr, /opt, the agent's own home and the folders granted to it, not your home. Install it system-wide (e.g. under /usr/local) or into the agent's home (paddock shell ${o.agent}).`;
}
