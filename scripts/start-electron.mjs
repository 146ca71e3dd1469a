// `npm start`'s decisions about the Electron binary, apart from its side effects so that a test can
// drive them (test/scripts/start.test.ts): which Node the desktop app's tools need, when the binary
// is fetched (and the line saying so printed), and how a failed fetch is remembered.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Electron 45's own tools (its download, @electron/rebuild) need Node ≥ 22.12; the CLI, console and tests run on ≥ 20.19. */
export const ELECTRON_TOOLS_NODE = [22, 12];

/** True when Node VERSION (`22.11.0`) is older than the desktop app's tools accept. */
export function nodeTooOldForElectron(version = process.versions.node) {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major < ELECTRON_TOOLS_NODE[0] || (major === ELECTRON_TOOLS_NODE[0] && minor < ELECTRON_TOOLS_NODE[1]);
}

/** How long a failed download is remembered before a start tries again. */
export const FETCH_RETRY_MS = 24 * 3600 * 1000;

/** The line printed when (and only when) the binary is really being fetched. */
export const FETCHING_LINE = 'paddock: fetching the Electron binary (once)…\n';

/** Runs electron's own install.js (the download) in its package folder. */
function runInstall(dir) {
  return spawnSync(process.execPath, [join(dir, 'install.js')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 600_000 });
}

/**
 * The Electron binary, fetched on first start: `{ binary }`, or `{ reason }` saying why there is
 * none (one clause; the caller runs the web console instead).
 * A failed download is remembered in FETCHFAILED for a day, so later starts neither retry it
 * silently nor claim a "first start" again (delete the marker to retry at once).
 *
 * @param {{ dir: string, fetchFailed: string, nodeVersion?: string, now?: number,
 *   write?: (line: string) => void,
 *   install?: (dir: string) => { status: number | null, stderr?: string | null } }} o
 *   dir: node_modules/electron; fetchFailed: the marker file; install: the download (default:
 *   electron's install.js in dir).
 * @returns {{ binary: string, reason?: undefined } | { binary?: undefined, reason: string }}
 */
export function electronBinary(o) {
  const { dir, fetchFailed } = o;
  const write = o.write ?? ((line) => void process.stdout.write(line));
  const install = o.install ?? runInstall;
  const nodeVersion = o.nodeVersion ?? process.versions.node;
  const now = o.now ?? Date.now();
  if (!existsSync(join(dir, 'package.json'))) return { reason: 'Electron is not installed (run npm ci)' };
  if (!existsSync(join(dir, 'path.txt'))) {
    if (nodeTooOldForElectron(nodeVersion)) {
      return {
        reason: `the desktop app's tools need Node.js ≥ ${ELECTRON_TOOLS_NODE.join('.')} and this is ${nodeVersion} (install Node 22 LTS or newer for the app; the console and the CLI work on this one)`,
      };
    }
    if (existsSync(fetchFailed) && now - statSync(fetchFailed).mtimeMs < FETCH_RETRY_MS) {
      return { reason: `the Electron binary could not be downloaded earlier (Paddock tries again after a day; delete ${fetchFailed} to retry now)` };
    }
    write(FETCHING_LINE);
    const r = install(dir);
    if (r.status !== 0 || !existsSync(join(dir, 'path.txt'))) {
      mkdirSync(dirname(fetchFailed), { recursive: true });
      writeFileSync(fetchFailed, `${new Date(now).toISOString()}\n${String(r.stderr ?? '').slice(-2000)}`);
      return { reason: `the Electron binary could not be downloaded on this machine (details in ${fetchFailed})` };
    }
    rmSync(fetchFailed, { force: true });
  }
  const p = join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim());
  return existsSync(p) ? { binary: p } : { reason: `the Electron binary is missing at ${p} (delete node_modules/electron/path.txt and run npm start again)` };
}
