/**
 * Paddock's small native helpers in `native/bin` (built from `native/*.c` by
 * `scripts/build-native.mjs`): `paddock-relay` (bulk egress tunnels) and `paddock-launch` (the
 * pre-started sandbox launcher). Each is optional: without it Paddock does the same work, slower.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type NativeHelper = 'paddock-relay' | 'paddock-launch' | 'paddock-decoy-watch';

const found = new Map<NativeHelper, string | null>();

/**
 * A helper's path, or null. `PADDOCK_NATIVE=off` turns every helper off; `PADDOCK_NATIVE=DIR`
 * names the folder holding them. Otherwise it is `native/bin` of Paddock's own package (in a
 * packaged app, in the unpacked copy of the archive: a binary inside an asar cannot run).
 */
export function nativeBinary(name: NativeHelper): string | null {
  const cached = found.get(name);
  if (cached !== undefined) return cached;
  const env = process.env.PADDOCK_NATIVE;
  let candidate: string | null = null;
  if (env && env !== 'off') candidate = path.join(env, name);
  else if (!env) {
    const root = packageRoot();
    if (root) candidate = path.join(root, 'native', 'bin', name).replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
  }
  const hit = candidate && trusted(candidate) ? candidate : null;
  found.set(name, hit);
  return hit;
}

/**
 * Paddock's package folder: the nearest folder above this module (src/core, dist/core, out/main)
 * whose package.json names Paddock. Never a folder above it (threat: a helper planted by an agent
 * in a writable folder that happens to contain the install).
 */
export function packageRoot(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'paddock') return dir;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Runs only a helper that nobody but us (or root) can change: the file and its folder owned by us
 * or root and writable by no one else (threat: a replaced helper runs unsandboxed with
 * the run's command line, environment and secrets).
 */
function trusted(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    for (const p of [file, path.dirname(file)]) {
      const st = statSync(p);
      if (st.uid !== uid && st.uid !== 0) return false;
      // Group-writable only for our own group (umask 002 with a private group per user).
      if ((st.mode & 0o002) !== 0 || ((st.mode & 0o020) !== 0 && st.gid !== gid)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Test hook: forget the lookups (after changing PADDOCK_NATIVE). */
export function resetNativeLookup(): void {
  found.clear();
}
