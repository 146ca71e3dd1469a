#!/usr/bin/env node
// Bundles the command line (src/cli) into dist/bundle/ with esbuild: three CommonJS files instead of
// ~160 modules, so `paddock` starts fast. Offline: esbuild only reads node_modules. bin/paddock
// answers --version itself, runs the client commands (ps, pause… and a guest `run`) from
// dist/bundle/client.cjs and everything else — a first host among them — from dist/bundle/host.cjs,
// which loader.cjs loads through a V8 code cache (src/cli/host-loader.ts).
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');

// zod's `z` namespace re-exports every locale (`z.locales`, ~260 kB of the ~450 kB zod chunk) that
// esbuild cannot tree-shake out of a namespace. Paddock uses none of them (zod sets up English
// itself, from locales/en.js): the bundle gets an empty `z.locales`, so a first host parses and
// compiles half as much zod. test/cli/lazy-imports.int.test.ts checks that no locale is bundled.
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) => (/[\\/]zod[\\/]/.test(a.importer) ? { path: 'zod-locales', namespace: 'paddock-stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'paddock-stub' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};
const OUT = join(ROOT, 'dist', 'bundle');

// Packages whose initialisation is costly and that a command rarely needs get a stand-in whose
// exports load the package on first access: tldts (the Public Suffix List, ~5 ms of CPU to build
// at import) is needed only to group learned hosts (`paddock learn --suggest`, the end of a
// learning run), yet the engine imports it on every start. The export names are read here.
const LAZY_PACKAGES = ['tldts'];
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${LAZY_PACKAGES.join('|')})$`) }, async (a) => {
      if (a.namespace === 'paddock-lazy') return b.resolve(a.path, { resolveDir: ROOT, kind: a.kind, pluginData: 'real' });
      if (a.pluginData === 'real') return undefined;
      return { path: a.path, namespace: 'paddock-lazy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'paddock-lazy' }, async (a) => {
      const keys = Object.keys(await import(a.path)).filter((k) => k !== 'default' && k !== '__esModule');
      return {
        loader: 'js',
        resolveDir: ROOT,
        contents:
          `let m; const load = () => (m ??= require(${JSON.stringify(a.path)}));\n` +
          `for (const k of ${JSON.stringify(keys)}) Object.defineProperty(exports, k, { enumerable: true, get: () => load()[k] });`,
      };
    });
  },
};

// better-sqlite3's JavaScript (13 files) goes into host.cjs, under its code cache, instead of being
// read and compiled by Node's loader at every engine start. Its native addon stays where npm put
// it: the `bindings` package finds it by walking up from the caller's file (host.cjs, after
// bundling), so the bundle asks for it by the package's own path, build/Release, the one place
// `npm install` builds it (an Electron build passes its own binary, nativeBinding, as before).
const sqliteAddon = {
  name: 'better-sqlite3-addon',
  setup(b) {
    b.onLoad({ filter: /[\\/]better-sqlite3[\\/]lib[\\/]database\.js$/ }, async (a) => {
      const src = await readFile(a.path, 'utf8');
      const from = "require('bindings')('better_sqlite3.node')";
      if (!src.includes(from)) throw new Error(`better-sqlite3 no longer loads its addon with ${from}: update scripts/build-cli.mjs`);
      const to = "require(require('node:path').join(require('node:path').dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node'))";
      return { contents: src.replace(from, to), loader: 'js' };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
// The full command line (src/cli/main.ts) in one CommonJS file: no ESM loader and no chunks to
// resolve, and one script for V8's code cache to cover. The commands stay lazy: esbuild turns their
// dynamic imports into modules initialised on first use, so a command runs only its own modules'
// top-level code (the code cache, one per command, holds what that command compiled).
await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/main.ts'],
  outfile: join(OUT, 'host.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // The keyring's native module loads its binary from its own folder; ws (the console's WebSocket,
  // for `serve` only) stays the package it is, with its optional native helpers.
  external: ['@napi-rs/keyring', 'ws', 'better-sqlite3/package.json'],
  // import.meta.url (package root, package.json, createRequire) is this file's URL: dist/bundle is two
  // levels below the root, as src/cli is, so modules that find files relative to themselves still do.
  define: { 'import.meta.url': '__paddockImportMetaUrl' },
  banner: { js: "var __paddockImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Fewer bytes to read and hash on every start; the source maps name the real code.
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [zodWithoutLocales, sqliteAddon, lazyPackages],
});

// The host bundle's loader (src/cli/host-loader.ts: the code cache), a file of its own so that the
// client commands do not load what it needs (node:crypto) when they run alone.
await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/host-loader.ts'],
  outfile: join(OUT, 'loader.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
});

// The client commands (src/cli/client.ts) in one CommonJS file: no ESM loader and no chunks to
// resolve, so `paddock ps` costs little more than Node's own start. It holds its own copy of the
// few modules it shares with host.cjs (errors, args, the control client): each bundle reports only
// the errors it throws (the client hands everything else over to host.cjs whole).
await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/client.ts'],
  outfile: join(OUT, 'client.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Only Node built-ins: a package here would mean a client command pulled in more than it needs
  // (test/cli/lazy-imports.int.test.ts checks what it loads).
  packages: 'external',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
});
