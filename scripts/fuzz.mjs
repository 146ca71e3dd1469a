#!/usr/bin/env node
// `npm run fuzz`: the long fuzzing pass. Runs the fuzz targets in test/fuzz with FUZZ_RUNS inputs in
// total (default 1 000 000, split evenly across the 5 targets: rule parser, profile validator,
// control socket, console API, proxy parsing), then the crash-safety loop with 100 SIGKILLs.
// Usage: node scripts/fuzz.mjs [TOTAL_RUNS]   (FUZZ_SEED=N replays a fast-check seed)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const total = process.argv[2] ?? process.env.FUZZ_RUNS ?? '1000000';
const crashes = process.env.CRASH_ITERATIONS ?? '100';

// The control-socket and console targets drive the real `bin/paddock`; the crash loop the built store.
if (!process.env.PADDOCK_TEST_SKIP_BUILD) {
  const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.core.json'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const vitest = (files, env) =>
  spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...files], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  }).status ?? 1;

const started = Date.now();
process.stderr.write(`fuzz: ${total} inputs across the fuzz targets…\n`);
const fuzz = vitest(['test/fuzz/'], { FUZZ_RUNS: total });
process.stderr.write(`fuzz: crash safety, ${crashes} SIGKILLs of a writer…\n`);
const crash = vitest(['test/faults/crash-safety.int.test.ts'], { CRASH_ITERATIONS: crashes });
process.stderr.write(`fuzz: done in ${((Date.now() - started) / 1000).toFixed(0)} s (fuzz ${fuzz === 0 ? 'ok' : 'FAILED'}, crash safety ${crash === 0 ? 'ok' : 'FAILED'})\n`);
process.exit(fuzz || crash);
