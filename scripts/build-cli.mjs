#!/usr/bin/env node
// Bundles the command line (src/cli/main.ts and what it imports) into dist/bundle/ with esbuild:
// a few files instead of ~160 modules, so `paddock` starts fast. Each command stays its own chunk
// (src/cli/commands/index.ts imports them dynamically), so `paddock --version` or `paddock ps`
// never load the engine. Offline: esbuild only reads node_modules. bin/paddock answers --version
// itself, runs the client commands (ps, pause… and a guest `run`) from dist/bundle/client.cjs and
// everything else from dist/bundle/cli.js.
import { rmSync } from 'node:fs';
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

rmSync(OUT, { recursive: true, force: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Chunks sit beside cli.js: modules that find files relative to themselves (the package root,
  // package.json) see the same depth as in src/cli.
  chunkNames: 'chunk-[hash]',
  // Native modules load their .node binary from their own folder; ws is CommonJS that requires
  // Node built-ins, which an ESM bundle cannot.
  external: ['better-sqlite3', '@napi-rs/keyring', 'ws'],
  // CommonJS dependencies bundled inside (yaml) require Node built-ins: give each chunk a require.
  banner: { js: "import { createRequire as __paddockCreateRequire } from 'node:module'; const require = __paddockCreateRequire(import.meta.url);" },
  // Fewer bytes to parse on every start (~10 ms of CPU for `paddock check`); the source maps name the real code.
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [zodWithoutLocales],
});

// The client commands (src/cli/client.ts) in one CommonJS file: no ESM loader and no chunks to
// resolve, so `paddock ps` costs little more than Node's own start. It holds its own copy of the
// few modules it shares with cli.js (errors, args, the control client): each bundle reports only
// the errors it throws (the client hands everything else over to cli.js whole).
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
