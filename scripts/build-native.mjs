#!/usr/bin/env node
// Builds native/bin/paddock-relay (the splice relay for bulk egress tunnels) with the system C
// compiler. Without one, Paddock still works: tunnels stay in Node (slower); this says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native');
const targets = [['paddock-relay', 'relay.c']];

if (process.platform !== 'linux') process.exit(0); // splice(2) is Linux-only; other platforms keep tunnels in Node
const stale = targets.filter(([bin, src]) => {
  const out = join(dir, 'bin', bin);
  return !existsSync(out) || statSync(out).mtimeMs < statSync(join(dir, src)).mtimeMs;
});
if (stale.length === 0) process.exit(0);
const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
if (!cc) {
  process.stderr.write('paddock: no C compiler (cc), so the fast egress relay is not built; bulk tunnels stay in Node (slower). Install gcc and run `npm run build` to get it.\n');
  process.exit(0);
}
mkdirSync(join(dir, 'bin'), { recursive: true });
for (const [bin, src] of stale) {
  const out = join(dir, 'bin', bin);
  const tmp = `${out}.tmp`;
  const flags = ['-O2', '-Wall', '-Wextra', '-Werror', '-D_FORTIFY_SOURCE=2', '-fstack-protector-strong'];
  const r = spawnSync(cc, [...flags, '-o', tmp, join(dir, src)], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`paddock: building native/${src} failed (see above); Paddock runs without ${bin} (slower tunnels).\n`);
    continue;
  }
  renameSync(tmp, out);
}
