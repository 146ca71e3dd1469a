import { appendFileSync, chmodSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import { AGENT_NAME_RE } from '../../shared/names.js';

/** The folder name under the platform's app-data folder (same as Electron's app name). */
export const APP_FOLDER = 'Paddock';

/** Inputs to data-dir resolution; everything defaults to this process's own values. */
export interface ResolveDataDirOptions {
  /** The `--data-dir` command-line flag. */
  flag?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v : undefined;
}

/**
 * Where Paddock keeps its data: `--data-dir`, else `$PADDOCK_HOME`, else the platform's app-data
 * folder + `Paddock` (Linux `$XDG_CONFIG_HOME` or `~/.config`, as Electron's `appData`; macOS
 * `~/Library/Application Support`; Windows `%APPDATA%`). Always returned absolute; a leading `~`
 * is the user's home.
 */
export function resolveDataDir(opts: ResolveDataDirOptions = {}): string {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const home = opts.home ?? homedir();
  const p = platform === 'win32' ? path.win32 : path.posix;
  const expand = (v: string): string => (v === '~' ? home : v.startsWith('~/') || v.startsWith('~\\') ? p.join(home, v.slice(2)) : v);

  const explicit = nonEmpty(opts.flag) ?? nonEmpty(env.PADDOCK_HOME);
  if (explicit !== undefined) return p.resolve(expand(explicit));

  let appData: string;
  if (platform === 'win32') appData = nonEmpty(env.APPDATA) ?? p.join(home, 'AppData', 'Roaming');
  else if (platform === 'darwin') appData = p.join(home, 'Library', 'Application Support');
  else {
    // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    const xdg = nonEmpty(env.XDG_CONFIG_HOME);
    appData = xdg !== undefined && p.isAbsolute(xdg) ? xdg : p.join(home, '.config');
  }
  return p.resolve(appData, APP_FOLDER);
}

/**
 * The list of every data dir this user's Paddock has prepared, one real path a line, kept in the
 * platform's default data dir (`$XDG_CONFIG_HOME` ignored): a folder no sandbox sees or is granted.
 */
export function knownDataDirsFile(home: string = homedir()): string {
  return path.join(resolveDataDir({ env: {}, home }), 'data-dirs');
}

/** The data dirs listed in {@link knownDataDirsFile} (absolute paths; none when there is no list). */
export function listedDataDirs(home: string = homedir()): string[] {
  let text = '';
  try {
    text = readFileSync(knownDataDirsFile(home), 'utf8');
  } catch {
    return [];
  }
  return [...new Set(text.split('\n').filter((l) => path.isAbsolute(l)))];
}

/**
 * Adds `root` to the list. Threat (attack pass E): a second host on a data dir of its own
 * (`--data-dir ~/proj/.paddock`) inside a folder granted to an agent of the first showed that
 * agent its database, its agents' homes and its control socket (full control of that host);
 * sandboxes hide every listed data dir. Best effort: a list that cannot be written is skipped.
 */
function recordDataDir(root: string): void {
  try {
    const real = realpathSync(root);
    const listed = listedDataDirs();
    if (real.includes('\n') || listed.includes(real)) return;
    const file = knownDataDirsFile();
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${real}\n`, { mode: 0o600 });
    if (listed.length >= PRUNE_AT) pruneList(file);
  } catch {
    // The list is an extra: the data dir itself is ready.
  }
}

/** The list is pruned of folders that no longer hold a data dir once it has this many lines. */
const PRUNE_AT = 64;

/** True when `dir` still holds a data dir (its database or its agents folder). */
export const holdsDataDir = (dir: string): boolean => ['paddock.db', 'agents'].some((f) => lstatSync(path.join(dir, f), { throwIfNoEntry: false }) !== undefined);

/**
 * Rewrites the list without the folders that no longer hold a data dir (temporary ones: tests,
 * trials), so it stays as long as the data dirs that exist. Threat: dropping a live entry would
 * unhide that data dir, so the rewrite is abandoned if the list changed while it was built.
 */
function pruneList(file: string): void {
  const before = readFileSync(file, 'utf8');
  const keep = [...new Set(before.split('\n').filter((l) => path.isAbsolute(l) && holdsDataDir(l)))];
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, keep.map((l) => `${l}\n`).join(''), { mode: 0o600 });
  if (readFileSync(file, 'utf8') === before) renameSync(tmp, file);
  else rmSync(tmp, { force: true });
}

/** Every path Paddock uses inside a data dir. */
export interface DataPaths {
  root: string;
  db: string;
  run: string;
  socket: string;
  lock: string;
  agents: string;
  agentDir(name: string): string;
  agentHome(name: string): string;
  agentWorkspace(name: string): string;
}

function checkAgentName(name: string): string {
  // Threat: a crafted name (`../..`, `/etc`) escaping <data-dir>/agents/ through path joins.
  if (!AGENT_NAME_RE.test(name))
    throw new PaddockError('E_INVALID_INPUT', `"${name}" is not a valid agent name: use lower-case letters, digits and -, starting with a letter (at most 40).`);
  return name;
}

/** The layout of a data dir (pure: touches nothing on disk). */
export function dataPaths(dir: string): DataPaths {
  const root = path.resolve(dir);
  const run = path.join(root, 'run');
  const agents = path.join(root, 'agents');
  const agentDir = (name: string): string => path.join(agents, checkAgentName(name));
  return {
    root,
    db: path.join(root, 'paddock.db'),
    run,
    socket: path.join(run, 'paddock.sock'),
    lock: path.join(run, 'host.lock'),
    agents,
    agentDir,
    agentHome: (name) => path.join(agentDir(name), 'home'),
    agentWorkspace: (name) => path.join(agentDir(name), 'workspace'),
  };
}

/** Creates `dir` (mode 0700) or tightens an existing one; refuses one that another user owns. */
function ensurePrivateDir(dir: string, allowSymlink: boolean): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = allowSymlink ? statSync(dir) : lstatSync(dir);
  // Threat: a symlink planted inside the data dir redirecting our sockets or agent homes elsewhere.
  if (!st.isDirectory())
    throw new PaddockError('E_STORE', `${dir} is not a directory${st.isSymbolicLink() ? ' (it is a symbolic link)' : ''}: move it aside and start Paddock again.`);
  if (process.platform === 'win32') return;
  const uid = process.getuid?.();
  // Threat: another local user pre-creating the folder to read or swap our database and sockets.
  if (uid !== undefined && st.uid !== uid)
    throw new PaddockError('E_STORE', `${dir} belongs to another user (uid ${st.uid}): use a data dir you own (--data-dir or $PADDOCK_HOME).`);
  // Threat: other local users reading the database, the vault or connecting to the control socket.
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * Makes sure the data dir and its `agents/` and `run/` folders exist, are owned by this user and
 * are private (0700; wider modes are tightened). Returns the data dir's paths.
 */
export function ensureDataDir(dir: string): DataPaths {
  const paths = dataPaths(dir);
  try {
    // The root may be a symlink the user chose; its subfolders may not.
    ensurePrivateDir(paths.root, true);
    ensurePrivateDir(paths.agents, false);
    ensurePrivateDir(paths.run, false);
  } catch (err) {
    if (err instanceof PaddockError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new PaddockError('E_STORE', `Cannot prepare the data dir ${paths.root} (${e.code ?? e.message}): check that its parent is writable by you, or pick another with --data-dir.`);
  }
  recordDataDir(paths.root);
  return paths;
}
