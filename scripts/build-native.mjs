#!/usr/bin/env node
// Builds native/bin/paddock-relay (the splice relay for bulk egress tunnels) and paddock-launch
// (the pre-started sandbox launcher) with the system C compiler. Without one, Paddock still works:
// tunnels stay in Node and every agent start is a cold one (both slower); this says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native');
const targets = [
  ['paddock-relay', 'relay.c'],
  ['paddock-launch', 'launch.c', 'nslisten.c', 'nslisten.h'],
  ['paddock-decoy-watch', 'decoy-watch.c'],
];

if (process.platform !== 'linux') process.exit(0); // both are Linux-only (splice(2), cgroups, bwrap)
// A target's sources: the first is its main file; .c files are compiled, headers only checked for changes.
const stale = targets.filter(([bin, ...srcs]) => {
  const out = join(dir, 'bin', bin);
  return !existsSync(out) || srcs.some((src) => statSync(out).mtimeMs < statSync(join(dir, src)).mtimeMs);
});
if (stale.length === 0) process.exit(0);
const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
if (!cc) {
  process.stderr.write('paddock: no C compiler (cc), so the egress relay and the pre-started launcher are not built; bulk tunnels stay in Node and agent starts are cold (both slower). Install gcc and run `npm run build` to get them.\n');
  process.exit(0);
}
mkdirSync(join(dir, 'bin'), { recursive: true });
for (const [bin, src, ...more] of stale) {
  const out = join(dir, 'bin', bin);
  const tmp = `${out}.tmp`;
  const flags = ['-O2', '-Wall', '-Wextra', '-Werror', '-D_FORTIFY_SOURCE=2', '-fstack-protector-strong'];
  const r = spawnSync(cc, [...flags, '-o', tmp, join(dir, src), ...more.filter((f) => f.endsWith('.c')).map((f) => join(dir, f))], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`paddock: building native/${src} failed (see above); Paddock runs without ${bin} (slower).\n`);
    continue;
  }
  renameSync(tmp, out);
}
