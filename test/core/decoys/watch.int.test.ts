import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDecoys, openDecoys, watchDecoys } from '../../../src/core/decoys/index.js';
import { nativeBinary } from '../../../src/core/native.js';

const tmp = mkdtempSync(join(tmpdir(), 'paddock-decoy-watch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Live (not zombie) paddock-decoy-watch children of this process. */
function helpers(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      if (stat[0] !== 'Z' && Number(stat[1]) === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('paddock-decoy-watch')) out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

describe.skipIf(!nativeBinary('paddock-decoy-watch'))('the decoy watch (native helper)', () => {
  it('sees a read while open (control), and once closed neither keeps this process alive nor outlives it', async () => {
    const file = join(tmp, 'credentials');
    writeFileSync(file, 'secret');
    const fds = openDecoys([file]);
    const hits: number[] = [];
    const count = (type: string): number => process.getActiveResourcesInfo().filter((t) => t === type).length;
    const [procs, pipes] = [count('ProcessWrap'), count('PipeWrap')];
    const w = await watchDecoys(fds, (i) => hits.push(i));
    // Control: a live watch is a child process this process waits for.
    expect(helpers()).toHaveLength(1);
    expect(count('ProcessWrap')).toBe(procs + 1);
    readFileSync(file);
    for (let i = 0; i < 200 && hits.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect([...new Set(hits)]).toEqual([0]);

    w.close();
    // A host whose last run ended exits at once: the helper's exit (and its pipe) are not waited for.
    expect(count('ProcessWrap')).toBe(procs);
    expect(count('PipeWrap')).toBe(pipes);
    // It was told to go all the same: nothing is left behind.
    for (let i = 0; i < 500 && helpers().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(helpers()).toEqual([]);
    closeDecoys(fds);
  });
});
