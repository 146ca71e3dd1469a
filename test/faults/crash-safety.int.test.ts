import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/store/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';

/** Iterations: 5 in CI; `npm run fuzz` sets CRASH_ITERATIONS=100. */
const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 5);
const FIXTURE = join(import.meta.dirname, 'fixtures', 'append-loop.mjs');
const tmp = tempDir('paddock-crash-');
afterAll(() => tmp.cleanup());

/** Runs the append loop, SIGKILLs it `delayMs` after it is ready; resolves with the acknowledged ids. */
function appendThenKill(db: string, delayMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let armed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!armed && out.includes('ready\n')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`append loop ended by itself (code ${code}): ${err}`));
      // Only complete lines count: a line cut by the kill was not fully printed, so not acknowledged.
      const lines = out.slice(0, out.lastIndexOf('\n') + 1).split('\n');
      resolve(lines.filter((l) => /^\d+$/.test(l)).map(Number));
    });
  });
}

describe('crash safety of the event log (SIGKILL of the writer at a random moment)', () => {
  it.skipIf(!existsSync(join(ROOT, 'dist', 'core', 'store', 'store.js')))(
    `keeps every acknowledged event and an intact chain (${ITERATIONS} kills)`,
    async () => {
      let db = '';
      let expected = 0;
      let total = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        // Up to 20 kills accumulate in one log (kills land on a growing file), then a fresh one keeps verify cheap.
        if (i % 20 === 0) {
          db = join(tmp.dir, `paddock-${i}.db`);
          expected = 0;
        }
        // Random moment, including kills right after opening (0 ms) and mid-stream.
        const acked = await appendThenKill(db, Math.floor(Math.random() * 300));
        total += acked.length;
        const s = openStore(db);
        try {
          expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok');
          const v = s.events.verify();
          expect(v.message).toBeTypeOf('string');
          expect(v.ok).toBe(true);
          // Every acknowledged id is present (ids are dense, so the latest id covers them)…
          const latest = s.events.latestId();
          for (const id of acked) expect(id).toBeLessThanOrEqual(latest);
          // …and the log holds at least what was acknowledged across all kills so far.
          expected = Math.max(expected, acked.at(-1) ?? 0);
          expect(v.count).toBe(latest);
          expect(latest).toBeGreaterThanOrEqual(expected);
          if (acked.length > 0) {
            const present = new Set(s.events.query({ afterId: acked[0]! - 1, beforeId: acked.at(-1)! + 1, limit: 100_000, order: 'asc' }).map((e) => e.id));
            expect(acked.filter((id) => !present.has(id))).toEqual([]);
          }
        } finally {
          s.close();
        }
      }
      expect(total).toBeGreaterThan(0); // the kills did land while events were being acknowledged
    },
    Math.max(120_000, ITERATIONS * 4_000),
  );
});
