import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputMasker } from '../../../src/core/runs/output/mask.js';
import { readRunLog } from '../../../src/core/runs/output/read.js';
import { RunRecorder } from '../../../src/core/runs/output/recorder.js';
import { plainText } from '../../../src/shared/terminal-text.js';
import { tempDir } from '../../helpers/cli.js';

const tmp = tempDir('paddock-output-');
afterAll(() => tmp.cleanup());

/** Feeds the chunks through one masker, as a stream would. */
function masked(masks: ConstructorParameters<typeof OutputMasker>[0], chunks: (string | Buffer)[]): string {
  const m = new OutputMasker(masks);
  const out = chunks.map((c) => m.push(typeof c === 'string' ? Buffer.from(c) : c));
  return Buffer.concat([...out, m.flush()]).toString('utf8');
}

describe('secret masking of recorded output', () => {
  it('masks a value wherever it is cut between chunks, and keeps what only looked like a start', () => {
    const v = 'tok-0123456789';
    for (let cut = 0; cut <= v.length; cut++) {
      expect(masked([{ name: 'T', value: v }], [`a=${v.slice(0, cut)}`, `${v.slice(cut)};`])).toBe('a=[secret T];');
    }
    expect(masked([{ name: 'T', value: v }], ['x tok-01', '2 y'])).toBe('x tok-012 y');
    expect(masked([{ name: 'T', value: v }], ['ends with tok-0'])).toBe('ends with tok-0');
  });

  it('masks several secrets, the longer first, binary file values and the long lines of multi-line ones', () => {
    const masks = [
      { name: 'SHORT', value: 'abcd1234' },
      { name: 'LONG', value: 'abcd1234-and-more' },
      { name: 'BIN', value: Buffer.from([0xff, 0x00, 0xfe, 0x41]) },
      { name: 'KUBECONFIG', value: 'apiVersion: v1\nclient-key-data: QUJDREVGR0hJSktMTU5PUA==\n' },
    ];
    expect(masked(masks, ['abcd1234-and-more abcd1234'])).toBe('[secret LONG] [secret SHORT]');
    expect(masked(masks, [Buffer.from([0x31, 0xff, 0x00]), Buffer.from([0xfe, 0x41, 0x32])])).toBe('1[secret BIN]2');
    expect(masked(masks, ['key: client-key-data: QUJDREVGR0hJSktMTU5PUA==\n'])).toBe('key: [secret KUBECONFIG]\n');
  });

  it('masks a value with escape sequences or controls between its characters, as the viewers would show it (attack pass C)', () => {
    const v = 'tok-S3cretValue-123456';
    const M = [{ name: 'T', value: v }];
    const cases = [
      `${v.slice(0, 8)}\x1b[0m${v.slice(8)}`, // a colour change mid-token
      `${v.slice(0, 8)}\x1bP+q\x1b\\${v.slice(8)}`, // a DCS string
      `${v.slice(0, 8)}\x1b]0;t\x07${v.slice(8)}`, // an OSC
      `${v.slice(0, 8)}\u0000${v.slice(8)}`, // NUL
      [...v].join('\u0000'), // UTF-16-like output
      `${v.slice(0, 8)}X\b${v.slice(8)}`, // a character stepped back over
      `${v.slice(0, 8)}\u0085${v.slice(8)}`, // a C1 control (UTF-8)
    ];
    for (const c of cases) {
      expect(plainText(masked(M, [`a=${c};`]))).toBe('a=[secret T];');
      // Cut anywhere, the held-back tail still carries the match.
      for (let cut = 1; cut < c.length; cut += 3) expect(plainText(masked(M, [`a=${c.slice(0, cut)}`, `${c.slice(cut)};`]))).toBe('a=[secret T];');
    }
    // Positive control: colours around or beside a value, and text that only looks like its start.
    expect(masked(M, [`\x1b[31m${v}\x1b[0m x`])).toBe('\x1b[31m[secret T]\x1b[0m x');
    expect(masked(M, ['tok-S3\x1b[0m other'])).toBe('tok-S3\x1b[0m other');
    // Bounded: a value spread over more escapes than MAX_SKIP is not held back forever.
    expect(masked(M, [`${v.slice(0, 4)}${'\x1b[0m'.repeat(2000)}${v.slice(4)}`])).toContain('tok-');
  });

  it('leaves output alone when the run has no secrets (positive control)', () => {
    expect(masked([], ['plain ', Buffer.from('é')])).toBe('plain é');
  });
});

describe('run recordings', () => {
  it('stay within their bound, keep the newest output and a valid header; offsets survive the drop', () => {
    let t = 0;
    const rec = new RunRecorder({ dir: join(tmp.dir, 'runs'), agent: 'a', run: 'r-0000000a', stdio: 'pipe', masks: [], limit: 64 * 1024, now: () => (t += 10) });
    let last = readRunLog(rec.file);
    for (let i = 0; i < 2000; i++) {
      rec.output(i % 2 ? 'stderr' : 'stdout', Buffer.from(`line ${i} ${'x'.repeat(60)}\n`));
      if (i === 100) last = readRunLog(rec.file);
    }
    rec.finish(3);
    expect(statSync(rec.file).size).toBeLessThanOrEqual(64 * 1024);
    const lines = readFileSync(rec.file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ version: 2, paddock: { run: 'r-0000000a', dropped: expect.any(Number) } });
    const all = readRunLog(rec.file);
    expect(all.truncated).toBe(true);
    expect(all.exitCode).toBe(3);
    expect(all.text.endsWith(`line 1999 ${'x'.repeat(60)}\n`)).toBe(true);
    expect(all.text).not.toContain('line 0 ');
    // A reader that had read up to line 100 is told that what followed was dropped.
    expect(readRunLog(rec.file, { since: last.next }).truncated).toBe(true);
    // A reader that is up to date gets nothing new and no gap.
    expect(readRunLog(rec.file, { since: all.next })).toMatchObject({ text: '', truncated: false });
  });

  it('a reader following by offset gets each byte once, across a drop', () => {
    const rec = new RunRecorder({ dir: join(tmp.dir, 'runs2'), agent: 'a', run: 'r-0000000b', stdio: 'pipe', masks: [], limit: 4096 });
    let since = readRunLog(rec.file).next;
    let seen = '';
    for (let i = 0; i < 300; i++) {
      rec.output('stdout', Buffer.from(`${i};`));
      if (i % 7 === 0) {
        const s = readRunLog(rec.file, { since });
        seen += s.text;
        since = s.next;
      }
    }
    rec.finish(0);
    seen += readRunLog(rec.file, { since }).text;
    expect(seen).toBe(Array.from({ length: 300 }, (_, i) => `${i};`).join(''));
  });
});

describe('recordings kept per agent', () => {
  it('a new recording removes the oldest beyond `keep` (their folder may hold other files); the newest stay', () => {
    const dir = join(tmp.dir, 'kept');
    let t = Date.now() - 100_000;
    const runs: string[] = [];
    for (let i = 0; i < 5; i++) {
      const run = `r-0000010${i}`;
      const rec = new RunRecorder({ dir, agent: 'a', run, stdio: 'pipe', masks: [], keep: 3 });
      rec.finish(0);
      t += 1000;
      utimesSync(rec.file, t / 1000, t / 1000); // distinct ages, oldest first
      runs.push(run);
    }
    writeFileSync(join(dir, 'notes.txt'), 'not a recording');
    expect(readdirSync(dir).sort()).toEqual([...runs.slice(2).map((r) => `${r}.cast`), 'notes.txt'].sort());
    expect(new RunRecorder({ dir, agent: 'a', run: 'r-00000200', stdio: 'pipe', masks: [], keep: 3 }).failed).toBeNull();
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'r-00000103.cast', 'r-00000104.cast', 'r-00000200.cast']);
  });
});

describe('plainText', () => {
  it('removes escape sequences and controls (colours only when asked)', () => {
    const s = 'a\x1b]52;c;ZXZpbA==\x07b\x1b[2J\x1b[31mred\x1b[0m\r\nx\ry\x00\x08z';
    expect(plainText(s)).toBe('abred\nx\nyz');
    expect(plainText(s, { keepColor: true })).toBe('ab\x1b[31mred\x1b[0m\nx\nyz');
  });
});
