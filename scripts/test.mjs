#!/usr/bin/env node
// `npm test`: runs vitest. When D-Bus and gnome-keyring are installed, the suite runs inside a
// private D-Bus session with an unlocked, throw-away Secret Service (real keychain, never the
// user's): a private XDG_DATA_HOME holds its keyring and is removed afterwards.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);

// Integration tests drive the real `bin/paddock`, so the command line is built first (tsc and esbuild, a few seconds).
if (!process.env.PADDOCK_TEST_SKIP_BUILD) {
  // The native egress relay (cc, a second); without a compiler it says so and its tests are skipped.
  spawnSync(process.execPath, ['scripts/build-native.mjs'], { stdio: 'inherit' });
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.core.json'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  // bin/paddock runs the esbuild bundle of the command line (dist/bundle), made from the same sources.
  const bundle = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
  if (bundle.status !== 0) process.exit(bundle.status ?? 1);
}
const vitest = ['node_modules/vitest/vitest.mjs', 'run', ...args];
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

let status;
if (has('dbus-run-session') && has('gnome-keyring-daemon') && !process.env.PADDOCK_TEST_NO_KEYRING) {
  const xdg = mkdtempSync(join(tmpdir(), 'paddock-test-xdg-'));
  // The keyring daemon runs in the foreground of a background job so it is stopped by its PID.
  const inner = [
    '(printf pw | exec gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1) & kpid=$!',
    'sleep 0.3; "$@"; rc=$?; kill $kpid 2>/dev/null; wait $kpid 2>/dev/null; exit $rc',
  ].join('; ');
  try {
    status = spawnSync('dbus-run-session', ['--', 'sh', '-c', inner, 'sh', process.execPath, ...vitest], {
      stdio: 'inherit',
      env: { ...process.env, XDG_DATA_HOME: xdg, PADDOCK_TEST_KEYRING: '1' },
    }).status;
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
} else {
  if (!existsSync('/usr/bin/gnome-keyring-daemon')) process.stderr.write('test: no gnome-keyring/dbus here; keychain tests will be skipped\n');
  status = spawnSync(process.execPath, vitest, { stdio: 'inherit' }).status;
}
process.exit(status ?? 1);
