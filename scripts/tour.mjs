#!/usr/bin/env node
// `npm run tour`: builds, then walks every screen of the app in Chromium against the real engine
// (test/e2e/tour.int.test.ts) and writes the screenshots, light and dark, to docs/tour/ for docs/TOUR.md.
import { spawnSync } from 'node:child_process';

const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync(process.execPath, ['scripts/test.mjs', 'test/e2e/tour.int.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, PADDOCK_TOUR_DIR: 'docs/tour', PADDOCK_TEST_SKIP_BUILD: '1' },
});
process.exit(r.status ?? 1);
