import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { RunReplay } from '../../../shared/api.js';
import { PaddockError } from '../../../shared/errors.js';
import type { PaddockEvent } from '../../../shared/events.schema.js';
import { EXIT_MARK, parseEvents, parseHeader } from './cast.js';
import { RUN_LOG_LIMIT } from './recorder.js';

/** Most bytes of recording one replay answer carries (a recording is kept within RUN_LOG_LIMIT; this is a guard, not the bound). */
export const REPLAY_MAX_BYTES = RUN_LOG_LIMIT + 1024 * 1024;
/** Most events of a run one replay answer carries. */
export const REPLAY_MAX_EVENTS = 5000;

function readAll(fd: number, from: number, to: number): Buffer {
  const b = Buffer.alloc(Math.max(0, to - from));
  let got = 0;
  while (got < b.length) {
    const n = readSync(fd, b, got, b.length - got, from + got);
    if (n === 0) break;
    got += n;
  }
  return b.subarray(0, got);
}

/**
 * A run's recording for the player, with its events on the same timeline. The file is read through
 * one open descriptor (a compaction renaming a new file in cannot mix two versions); a line still
 * being written is left out. When older output was dropped (the 10 MiB bound), `missingBefore` says
 * from which second the kept part plays.
 */
export function readRunReplay(
  file: string,
  events: (run: string, limit: number) => PaddockEvent[],
  opts: { maxBytes?: number; maxEvents?: number; live?: (run: string) => boolean } = {},
): RunReplay {
  const maxBytes = opts.maxBytes ?? REPLAY_MAX_BYTES;
  const maxEvents = opts.maxEvents ?? REPLAY_MAX_EVENTS;
  const fd = openSync(file, 'r');
  let head: string;
  let body: Buffer;
  let cut = false;
  try {
    const size = fstatSync(fd).size;
    const first = readAll(fd, 0, Math.min(size, 65_536));
    const nl = first.indexOf(0x0a);
    if (nl < 0) throw new PaddockError('E_STORE', `${file} is not a run recording; remove it`);
    head = first.subarray(0, nl).toString('utf8');
    let from = nl + 1;
    if (size - from > maxBytes) {
      // Keep the newest part, from a line start (the guard above the recording's own bound).
      const tail = readAll(fd, size - maxBytes, size);
      from = size - maxBytes + tail.indexOf(0x0a) + 1;
      cut = true;
    }
    body = readAll(fd, from, size);
  } finally {
    closeSync(fd);
  }
  const header = parseHeader(head);
  if (!header) throw new PaddockError('E_STORE', `${file} is not a run recording; remove it`);
  const complete = body.subarray(0, body.lastIndexOf(0x0a) + 1).toString('utf8');
  const cast = parseEvents(complete);
  const first = cast[0];
  // Output was left out when the recorder dropped old events (its bound) or this answer cut them.
  const missingBefore = (header.paddock.dropped > 0 || cut) && first ? first[0] : 0;
  const exit = cast.filter((e) => e[1] === 'm').map((e) => EXIT_MARK.exec(e[2])).filter(Boolean).pop();
  const run = header.paddock.run;
  const got = events(run, maxEvents + 1);
  return {
    run,
    start: header.paddock.startMs ?? header.timestamp * 1000,
    // A pipe has no terminal to turn LF into CR LF: the player gets the output as a terminal would have shown it.
    cast: `${head}\n${cast.map((e) => `${JSON.stringify(e[1] === 'o' ? [e[0], e[1], e[2].replace(/\r?\n/g, '\r\n')] : e)}\n`).join('')}`,
    missingBefore,
    events: got.slice(0, maxEvents),
    eventsTruncated: got.length > maxEvents,
    stdio: header.paddock.stdio,
    exitCode: exit ? Number(exit[1]) : null,
    live: !exit && (opts.live?.(run) ?? false),
  };
}
