#!/usr/bin/env node
// Installs the real agent CLIs (and the npm registry used by the e2e tests) from npm into the
// ignored folder .cache/agents/NAME, pinned, once: a later run finds them there and does nothing.
// Usage: node scripts/agent-clis.mjs [claude|codex|verdaccio ...]   (none: all)
// Prints one line per tool: NAME PATH-OF-ITS-EXECUTABLE, or NAME - REASON when it cannot be had.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const CACHE = join(ROOT, '.cache', 'agents');
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
const triple = process.arch === 'arm64' ? 'aarch64-unknown-linux-musl' : 'x86_64-unknown-linux-musl';

// Pinned (npm view PKG version, 2026-12-07). The platform binary ships inside a registry package,
// an optional dependency npm picks for this machine, so no install script has to download
// anything (--ignore-scripts).
export const TOOLS = {
  claude: { spec: '@anthropic-ai/claude-code@2.1.332', bin: `node_modules/@anthropic-ai/claude-code-linux-${arch}/claude` },
  // A real npm registry for the npm-through-the-proxy test. Its CLI refuses Node < 22, its server
  // API runs on Node 20 (test/e2e/agents/verdaccio-server.mjs starts it that way).
  verdaccio: { spec: 'verdaccio@6.10.4', bin: 'node_modules/verdaccio/build/index.js' },
  codex: { spec: '@openai/codex@0.171.0', bin: `node_modules/@openai/codex-linux-${arch}/vendor/${triple}/bin/codex` },
};

/** Returns the executable's absolute path, installing it first if needed; or an Error saying why not. */
export function ensure(name) {
  const t = TOOLS[name];
  if (!t) return new Error(`unknown tool ${name}`);
  const dir = join(CACHE, name);
  const bin = join(dir, t.bin);
  if (existsSync(bin)) return bin;
  if (process.platform !== 'linux') return new Error(`${name}: only the Linux builds are wired here`);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', '--loglevel=error', t.spec], {
    encoding: 'utf8',
    timeout: 300_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0 || !existsSync(bin)) return new Error(`${name}: npm install ${t.spec} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}`);
  return bin;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(TOOLS);
  let bad = 0;
  for (const n of names) {
    const r = ensure(n);
    if (r instanceof Error) {
      bad++;
      process.stdout.write(`${n} - ${r.message}\n`);
    } else process.stdout.write(`${n} ${r}\n`);
  }
  process.exit(bad ? 1 : 0);
}
