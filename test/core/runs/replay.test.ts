import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEvents, parseHeader } from '../../../src/core/runs/output/cast.js';
import { RunRecorder } from '../../../src/core/runs/output/recorder.js';
import { readRunReplay } from '../../../src/core/runs/output/replay.js';
import type { PaddockEvent } from '../../../src/shared/events.schema.js';
import { castDuration, currentIndex, placeEvents } from '../../../src/renderer/features/replay/timeline.js';
import { tempDir } from '../../helpers/cli.js';

const tmp = tempDir('paddock-replay-');
afterAll(() => tmp.cleanup());

const T0 = Date.parse('2026-01-02T03:04:05.678Z');
const ev = (id: number, ms: number, kind: PaddockEvent['kind'] = 'fs.change'): PaddockEvent =>
  ({ id, ts: new Date(T0 + ms).toISOString(), agent: 'a', run: 'r-0000000b', kind, path: `/f${id}`, change: 'created' }) as PaddockEvent;

describe('a run replay (recording and events on one timeline)', () => {
  it('places events by their time from the recording start, to the millisecond', () => {
    let t = T0;
    const rec = new RunRecorder({ dir: join(tmp.dir, 'aligned'), agent: 'a', run: 'r-0000000b', stdio: 'pipe', masks: [], now: () => t });
    t += 1500;
    rec.output('stdout', Buffer.from('before\n'));
    t += 1000;
    rec.output('stdout', Buffer.from('after\n'));
    rec.finish(0);
    const events = [ev(1, -20, 'run.start'), ev(2, 2000)];
    const r = readRunReplay(rec.file, (run, limit) => (run === 'r-0000000b' ? events.slice(0, limit) : []));
    expect(r).toMatchObject({ run: 'r-0000000b', start: T0, missingBefore: 0, exitCode: 0, live: false, eventsTruncated: false, stdio: 'pipe' });
    // The header's whole-second timestamp would misplace events by up to 1 s: startMs keeps the ms.
    expect(parseHeader(r.cast.split('\n')[0]!)?.paddock.startMs).toBe(T0);
    const placed = placeEvents(r);
    expect(placed.map((p) => p.at)).toEqual([0, 2]); // logged just before the recording started: at 0
    const out = parseEvents(r.cast.slice(r.cast.indexOf('\n') + 1)).filter((e) => e[1] === 'o');
    expect(out).toEqual([[1.5, 'o', 'before\r\n'], [2.5, 'o', 'after\r\n']]); // a pipe's LF as a terminal shows it
    expect(castDuration(r.cast)).toBe(2.5);
    expect(currentIndex(placed, 1.9)).toBe(0);
    expect(currentIndex(placed, 2)).toBe(1);
  });

  it('a truncated recording still plays: the kept part, valid, from where it starts, with a note of what is missing', () => {
    let t = T0;
    const rec = new RunRecorder({ dir: join(tmp.dir, 'cut'), agent: 'a', run: 'r-0000000b', stdio: 'pipe', masks: [], limit: 16 * 1024, now: () => (t += 100) });
    for (let i = 0; i < 1000; i++) rec.output('stdout', Buffer.from(`line ${i} ${'y'.repeat(40)}\n`));
    rec.finish(1);
    const r = readRunReplay(rec.file, () => []);
    const lines = r.cast.trimEnd().split('\n');
    expect(parseHeader(lines[0]!)?.paddock.dropped).toBeGreaterThan(0);
    const kept = parseEvents(lines.slice(1).join('\n'));
    expect(kept.length).toBe(lines.length - 1); // every line a whole event
    expect(r.missingBefore).toBe(kept[0]![0]);
    expect(r.missingBefore).toBeGreaterThan(0);
    expect(kept.at(-2)![2]).toContain('line 999 ');
    expect(r.exitCode).toBe(1);
    // The guard above the file's own bound cuts at a line start too.
    const small = readRunReplay(rec.file, () => [], { maxBytes: 2000 });
    expect(parseEvents(small.cast.slice(small.cast.indexOf('\n') + 1)).length).toBe(small.cast.trimEnd().split('\n').length - 1);
    expect(small.missingBefore).toBeGreaterThan(r.missingBefore);
  });

  it('carries at most maxEvents events and says so', () => {
    let t = T0;
    const rec = new RunRecorder({ dir: join(tmp.dir, 'many'), agent: 'a', run: 'r-0000000b', stdio: 'pipe', masks: [], now: () => (t += 1) });
    rec.finish(0);
    const events = Array.from({ length: 12 }, (_, i) => ev(i + 1, i));
    const r = readRunReplay(rec.file, (_run, limit) => events.slice(0, limit), { maxEvents: 10 });
    expect(r.events.length).toBe(10);
    expect(r.eventsTruncated).toBe(true);
  });
});
