import { readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { isWithin, walkTree, type WalkBudget } from '../sandbox/index.js';

/** Where links to existing files may also point: the system folders every sandbox sees read-only, /proc and /dev. */
const ALWAYS_VISIBLE = ['/usr', '/etc', '/opt', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32', '/proc', '/dev'];

/** A symbolic link the agent made that points outside every folder it may write. */
export interface LinkPlant {
  link: string;
  target: string;
}

/**
 * Symbolic links made or changed since `since` (ctime, which no program can set) in the writable
 * `roots`, whose target lies outside every folder the agent may write (`visible`) and the system folders.
 * Threat: such a link is useless inside (it dangles there) but steers the user's own tools on the
 * host: `make test > test.log`, a `yarn-error.log`, `nohup.out` written through `test.log ->
 * ~/.bashrc` put the agent's output in the user's shell start-up; `zip -r`, `rsync -L`, `cp -L`, a
 * site generator copy `notes -> ~/.ssh/id_ed25519` into what the user shares (attack pass I). A `ro`
 * grant counts as outside: `test.log -> ~/ro-granted/config.fish` writes what the grant kept read-only.
 * Links are read, never followed; the walk stops at `budget` (the caller says so).
 */
export async function findLinkPlants(roots: readonly string[], visible: readonly string[], since: number, budget: WalkBudget): Promise<LinkPlant[]> {
  const seen = [...visible, ...ALWAYS_VISIBLE];
  const out: LinkPlant[] = [];
  for (const root of roots) {
    await walkTree(
      root,
      budget,
      (abs, st) => {
        if (!st.isSymbolicLink()) return 'descend';
        if (abs === root || st.ctimeMs < since) return 'skip';
        let target: string;
        try {
          target = readlinkSync(abs);
        } catch {
          return 'skip';
        }
        const real = existingTarget(abs);
        // A target that does not exist yet may only be in a folder the agent writes anyway: through
        // `/proc/self/root/…` or a user-writable `/usr/local/bin` the user's tool would create it.
        const later = real === null ? danglingTarget(abs, target) : null;
        const ok = real !== null ? seen.some((v) => isWithin(real, v)) : later !== null && visible.some((v) => isWithin(later, v));
        if (!ok) out.push({ link: abs, target });
        return 'skip';
      },
      { links: true },
    );
  }
  return out;
}

/** The kernel's answer for a link whose target exists, else null. */
function existingTarget(link: string): string | null {
  try {
    return realpathSync.native(link);
  } catch {
    return null; // dangling: the target does not exist (yet)
  }
}

/**
 * Where a dangling link leads, lexically; null when a `..` follows a name (`sub/../../home/u/x`):
 * through a link `sub -> /usr/share` the kernel climbs from elsewhere than the text says.
 */
function danglingTarget(link: string, target: string): string | null {
  const parts = target.split('/');
  const firstName = parts.findIndex((c) => c !== '' && c !== '.' && c !== '..');
  if (firstName >= 0 && parts.slice(firstName).includes('..')) return null;
  return path.resolve(path.dirname(link), target);
}
