/**
 * Paddock's small native helpers in `native/bin` (built from `native/*.c` by
 * `scripts/build-native.mjs`): `paddock-relay` (bulk egress tunnels) and `paddock-launch` (the
 * pre-started sandbox launcher). Each is optional: without it Paddock does the same work, slower.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type NativeHelper = 'paddock-relay' | 'paddock-launch';

const found = new Map<NativeHelper, string | null>();

/**
 * A helper's path, or null. `PADDOCK_NATIVE=off` turns every helper off; `PADDOCK_NATIVE=DIR`
 * names the folder holding them. Otherwise they are looked up in `native/bin` from this module's
 * folder upwards (in a packaged app, in the unpacked copy of the archive: a binary inside an asar
 * cannot run).
 */
export function nativeBinary(name: NativeHelper): string | null {
  const cached = found.get(name);
  if (cached !== undefined) return cached;
  const env = process.env.PADDOCK_NATIVE;
  const candidates: string[] = [];
  if (env && env !== 'off') candidates.push(path.join(env, name));
  else if (!env) {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 5; i++, dir = path.dirname(dir))
      candidates.push(path.join(dir, 'native', 'bin', name).replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`));
  }
  const hit =
    candidates.find((c) => {
      try {
        accessSync(c, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }) ?? null;
  found.set(name, hit);
  return hit;
}

/** Test hook: forget the lookups (after changing PADDOCK_NATIVE). */
export function resetNativeLookup(): void {
  found.clear();
}
