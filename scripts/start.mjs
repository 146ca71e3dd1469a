#!/usr/bin/env node
// `npm start`: open the desktop app. On first start, fetch Electron's binary (skipped at install
// so that `npm ci` works offline) and build an Electron-ABI copy of better-sqlite3 into .native/
// (the Node build in node_modules stays for the CLI and the tests). Where Electron cannot be had,
// say so in one sentence and run the headless web console instead.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './start-electron.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const quiet = { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 600_000 };

// A failed download is remembered for a day (see start-electron.mjs).
const FETCH_FAILED = join(root, '.native', 'electron-fetch-failed');

/** Builds better-sqlite3 for Electron's ABI into .native/electron-<version>/ once. */
function electronSqlite(version) {
  const out = join(root, '.native', `electron-${version}`);
  const binding = join(out, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return binding;
  process.stdout.write(`paddock: building the database module for Electron ${version} (first start only)…\n`);
  const src = dirname(require.resolve('better-sqlite3/package.json'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(src, out, { recursive: true, filter: (p) => !p.includes(`${src}/build`) });
  const prebuilt = spawnSync('npx', ['--no-install', 'prebuild-install', '--runtime', 'electron', '--target', version], { ...quiet, cwd: out });
  if (prebuilt.status !== 0 || !existsSync(binding)) {
    const gyp = spawnSync('npx', ['--no-install', 'node-gyp', 'rebuild', '--release', `--target=${version}`, '--dist-url=https://electronjs.org/headers'], { ...quiet, cwd: out });
    if (gyp.status !== 0 || !existsSync(binding)) return null;
  }
  return binding;
}

function runConsole(reason) {
  process.stdout.write(`paddock: ${reason}, so Paddock runs its web console instead — open the URL below in your browser.\n`);
  const child = spawn(process.execPath, [join(root, 'bin', 'paddock'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}

if (!existsSync(join(root, 'out', 'main', 'index.js')) || !existsSync(join(root, 'dist', 'bundle', 'host.cjs'))) {
  const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const { binary: electron, reason } = electronBinary({ dir: join(root, 'node_modules', 'electron'), fetchFailed: FETCH_FAILED });
if (!electron) {
  runConsole(reason);
} else {
  const version = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const binding = electronSqlite(version);
  if (!binding) {
    runConsole(`the database module could not be built for Electron ${version} (install a C++ toolchain, then run npm start again)`);
  } else {
    const child = spawn(electron, [root, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, PADDOCK_SQLITE_BINDING: binding },
    });
    child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
  }
}
