/**
 * Every web console this user's Paddock hosts have open, whatever their data dir: a file per
 * console, `consoles/PORT` in the platform's default data dir (a folder no sandbox sees), holding
 * the serving process's pid and start time. Every host's proxy refuses those ports as control
 * plane.
 * Threat (attack pass B, PRODUCT.md principle 3): an agent of one host reaching the console of
 * another host on the same machine (a second data dir, the app beside a `paddock serve`) with a
 * rule naming its port; each host refused only its own console's port.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import path from 'node:path';
import { processAlive, processStartTime } from './process.js';
import { resolveDataDir } from './data-dir.js';

/** The registry folder: `consoles` in the platform's default data dir (`$XDG_CONFIG_HOME` ignored, as the data-dirs list). */
export function consolesDir(home: string = homedir()): string {
  return path.join(resolveDataDir({ env: {}, home }), 'consoles');
}

/**
 * The homes whose registries count: `$HOME` and the account's own home (from the password
 * database). Threat: a console started with another `$HOME` (a wrapper, `sudo -E`, a desktop
 * sandbox) recorded its port where the other hosts never looked, so their agents reached it with a
 * rule naming it (attack pass H). Consoles register in both, and hosts read both.
 */
function userHomes(): string[] {
  let own: string | null = null;
  try {
    own = userInfo().homedir || null;
  } catch {
    // no password entry: $HOME only
  }
  return [...new Set([homedir(), ...(own ? [own] : [])])];
}

/**
 * Records a console listening on `port` of 127.0.0.1; returns the function that removes it.
 * Best effort: without the record this host still refuses its own port (its `controlPorts`).
 */
export function registerConsole(port: number, home?: string): () => void {
  if (home === undefined) {
    const offs = userHomes().map((h) => registerConsole(port, h));
    return () => offs.forEach((off) => off());
  }
  const dir = consolesDir(home);
  const file = path.join(dir, String(port));
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${process.pid} ${processStartTime(process.pid) ?? ''}\n`, { mode: 0o600 });
  } catch {
    return () => {};
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8').split(' ')[0] === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

/** Removes an ended console's entry unless a new console took its port meanwhile. */
function removeIfStill(file: string, seen: string): void {
  try {
    if (readFileSync(file, 'utf8').trim() === seen.trim()) rmSync(file, { force: true });
  } catch {
    // gone already
  }
}

const cache = new Map<string, { mtimeMs: number; ports: number[] }>();

/**
 * The ports of the consoles recorded by live processes (entries of ended ones are removed).
 * Read again only when the folder changed (one stat per call), since every outgoing connection
 * of every agent asks.
 */
export function registeredConsolePorts(home?: string): readonly number[] {
  if (home === undefined) {
    const homes = userHomes();
    return homes.length === 1 ? registeredConsolePorts(homes[0]) : [...new Set(homes.flatMap((h) => registeredConsolePorts(h)))];
  }
  const dir = consolesDir(home);
  let mtimeMs: number;
  try {
    mtimeMs = statSync(dir).mtimeMs;
  } catch {
    return [];
  }
  const hit = cache.get(dir);
  if (hit && hit.mtimeMs === mtimeMs) return hit.ports;
  const ports: number[] = [];
  for (const name of readdirSync(dir)) {
    if (!/^[0-9]{1,5}$/.test(name)) continue;
    const file = path.join(dir, name);
    let pid = 0;
    let started = '';
    try {
      [pid, started] = ((s) => [Number(s[0]), s[1] ?? ''] as const)(readFileSync(file, 'utf8').trim().split(' '));
    } catch {
      continue;
    }
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid, started === '' ? null : started)) ports.push(Number(name));
    else removeIfStill(file, `${pid} ${started}`);
  }
  // The removals above changed the folder: key the cache on its time after them.
  cache.set(dir, { mtimeMs: statSync(dir).mtimeMs, ports });
  return ports;
}
