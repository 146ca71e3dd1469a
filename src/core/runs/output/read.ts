import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunLogInfo, RunLogSlice } from '../../../shared/api.js';
import { PaddockError } from '../../../shared/errors.js';
import type { DataPaths } from '../../data-dir/index.js';
export type { RunLogInfo, RunLogSlice } from '../../../shared/api.js';
import { EXIT_MARK, parseEvents, parseHeader, type CastHeader } from './cast.js';
import { RUN_ID_RE } from '../../../shared/names.js';

export { RUN_ID_RE } from '../../../shared/names.js';

/** Where an agent's run recordings live: `<data-dir>/agents/<name>/runs` (never inside a sandbox). */
export function runLogDir(paths: DataPaths, agent: string): string {
  return join(paths.agentDir(agent), 'runs');
}

function readRange(fd: number, from: number, to: number): Buffer {
  const b = Buffer.alloc(Math.max(0, to - from));
  let got = 0;
  while (got < b.length) {
    const n = readSync(fd, b, got, b.length - got, from + got);
    if (n === 0) break;
    got += n;
  }
  return b.subarray(0, got);
}

function readHeader(fd: number): { header: CastHeader; length: number } | null {
  const head = readRange(fd, 0, 65_536);
  const nl = head.indexOf(0x0a);
  if (nl < 0) return null;
  const header = parseHeader(head.subarray(0, nl).toString('utf8'));
  return header ? { header, length: nl + 1 } : null;
}

function exitOf(fd: number, size: number): number | null {
  const tail = readRange(fd, Math.max(0, size - 256), size).toString('utf8');
  const last = parseEvents(tail.slice(tail.indexOf('\n') + 1)).filter((e) => e[1] === 'm').pop();
  const m = last ? EXIT_MARK.exec(last[2]) : null;
  return m ? Number(m[1]) : null;
}

/** The agent's recorded runs, newest first. */
export function listRunLogs(dir: string): RunLogInfo[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => RUN_ID_RE.test(f.replace(/\.cast$/, '')) && f.endsWith('.cast'));
  } catch {
    return [];
  }
  const out: (RunLogInfo & { mtime: number })[] = [];
  for (const f of names) {
    let fd: number | null = null;
    try {
      fd = openSync(join(dir, f), 'r');
      const size = fstatSync(fd).size;
      const h = readHeader(fd);
      if (!h) continue;
      const { run, stdio } = h.header.paddock;
      out.push({ run, started: new Date(h.header.timestamp * 1000).toISOString(), stdio, exitCode: exitOf(fd, size), size, mtime: fstatSync(fd).mtimeMs });
    } catch {
      // removed meanwhile
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }
  // Newest first: a live run's file is the one written last.
  return out.sort((a, b) => b.mtime - a.mtime).map(({ run, started, stdio, exitCode, size }) => ({ run, started, stdio, exitCode, size }));
}

/** The run's recording file, or an error that says which runs exist. */
export function runLogFile(dir: string, agent: string, run?: string): string {
  if (run !== undefined && !RUN_ID_RE.test(run)) throw new PaddockError('E_INVALID_INPUT', `"${run}" is not a run id (they look like r-1a2b3c4d; see paddock logs ${agent} --list)`);
  const id = run ?? listRunLogs(dir)[0]?.run;
  if (!id) throw new PaddockError('E_NOT_FOUND', `agent "${agent}" has no recorded run yet; start it from the app or with paddock run`);
  const file = join(dir, `${id}.cast`);
  try {
    statSync(file);
  } catch {
    throw new PaddockError('E_NOT_FOUND', `agent "${agent}" has no recording of run ${id} (only the last runs are kept; see paddock logs ${agent} --list)`);
  }
  return file;
}

/**
 * Reads a run's output after `since` (from its start if absent), at most `max` bytes of recording
 * (the newest; `truncated` says older output was left out).
 */
export function readRunLog(file: string, opts: { since?: number; max?: number } = {}): RunLogSlice {
  const max = opts.max ?? 1024 * 1024;
  const fd = openSync(file, 'r'); // one open file: a compaction renaming a new file in cannot mix two versions
  try {
    const size = fstatSync(fd).size;
    const h = readHeader(fd);
    if (!h) throw new PaddockError('E_STORE', `${file} is not a run recording; remove it`);
    const dropped = h.header.paddock.dropped;
    let from = opts.since === undefined ? h.length : opts.since - dropped + h.length;
    let truncated = opts.since === undefined ? dropped > 0 : false;
    if (from < h.length || from > size) {
      truncated = true; // what followed `since` was dropped (or the file is not the one read before)
      from = h.length;
    }
    if (size - from > max) {
      const cut = readRange(fd, size - max, size);
      from = size - max + cut.indexOf(0x0a) + 1;
      truncated = true;
    }
    const body = readRange(fd, from, size);
    const complete = body.subarray(0, body.lastIndexOf(0x0a) + 1);
    const events = parseEvents(complete.toString('utf8'));
    const exit = events.filter((e) => e[1] === 'm').map((e) => EXIT_MARK.exec(e[2])).filter(Boolean).pop();
    return {
      run: h.header.paddock.run,
      started: new Date(h.header.timestamp * 1000).toISOString(),
      stdio: h.header.paddock.stdio,
      text: events.filter((e) => e[1] === 'o').map((e) => e[2]).join(''),
      next: dropped + from + complete.length - h.length,
      truncated,
      exitCode: exit ? Number(exit[1]) : exitOf(fd, size),
    };
  } finally {
    closeSync(fd);
  }
}
