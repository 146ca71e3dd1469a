import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { eventLine, headerLine, type CastHeader } from './cast.js';
import { OutputMasker, type SecretMask } from './mask.js';

/** A run's recording is kept within this many bytes (its newest output). */
export const RUN_LOG_LIMIT = 10 * 1024 * 1024;
/** Recordings kept per agent (the oldest go when a run starts). */
export const RUN_LOGS_KEPT = 20;

export interface RecorderOptions {
  /** `<data-dir>/agents/<name>/runs` (outside every sandbox). */
  dir: string;
  agent: string;
  run: string;
  stdio: 'pipe' | 'terminal';
  masks: readonly SecretMask[];
  limit?: number;
  keep?: number;
  now?: () => number;
}

/** Removes a file if it is there (as rmSync(p, { force: true }), without loading Node's rimraf: ~1–2 ms of a run's start or end). */
function unlinkIfThere(p: string): void {
  try {
    unlinkSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Removes the oldest recordings so that `keep - 1` remain (room for the one being started). */
function prune(dir: string, keep: number): void {
  const casts = readdirSync(dir)
    .filter((f) => f.endsWith('.cast'))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => a.t - b.t);
  for (const c of casts.slice(0, Math.max(0, casts.length - (keep - 1)))) unlinkIfThere(join(dir, c.f));
}

/**
 * Writes one run's output to `<run>.cast`, masking the secrets delivered to the run, and keeps the
 * file within `limit` bytes by dropping its oldest events (the header stays valid and counts what
 * was dropped). A recording that cannot be written stops quietly: it never stops the run.
 */
export class RunRecorder {
  readonly file: string;
  private fd: number | null = null;
  private size = 0;
  private readonly header: CastHeader;
  private readonly limit: number;
  private readonly start: number;
  private readonly now: () => number;
  private readonly maskers = new Map<'stdout' | 'stderr', { mask: OutputMasker; text: StringDecoder }>();
  /** Why recording stopped early, if it did. */
  failed: string | null = null;

  constructor(o: RecorderOptions) {
    this.now = o.now ?? Date.now;
    this.start = this.now();
    this.limit = o.limit ?? RUN_LOG_LIMIT;
    this.file = join(o.dir, `${o.run}.cast`);
    this.header = {
      version: 2,
      width: 80,
      height: 24,
      timestamp: Math.floor(this.start / 1000),
      title: `${o.agent} ${o.run}`,
      paddock: { agent: o.agent, run: o.run, stdio: o.stdio, dropped: 0, startMs: this.start },
    };
    for (const s of ['stdout', 'stderr'] as const) this.maskers.set(s, { mask: new OutputMasker(o.masks), text: new StringDecoder('utf8') });
    try {
      // Threat: other local users reading an agent's output (it may hold what the agent read).
      mkdirSync(o.dir, { recursive: true, mode: 0o700 });
      prune(o.dir, o.keep ?? RUN_LOGS_KEPT);
      this.fd = openSync(this.file, 'w', 0o600);
      this.append(headerLine(this.header));
    } catch (e) {
      this.fail(e);
    }
  }

  private seconds(): number {
    return (this.now() - this.start) / 1000;
  }

  private fail(e: unknown): void {
    this.failed = e instanceof Error ? e.message : String(e);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private append(line: string): void {
    if (this.fd === null) return;
    try {
      const b = Buffer.from(line, 'utf8');
      writeSync(this.fd, b);
      this.size += b.length;
      if (this.size > this.limit) this.compact();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Drops the oldest events until the file holds at most 3/4 of the limit (amortises the rewrite). */
  private compact(): void {
    const text = readFileSync(this.file, 'utf8');
    const lines = text.split('\n');
    lines.shift(); // the header
    const target = Math.floor((this.limit * 3) / 4);
    let body = Buffer.byteLength(text, 'utf8') - Buffer.byteLength(headerLine(this.header), 'utf8');
    let dropped = 0;
    let i = 0;
    while (i < lines.length - 1 && body > target) {
      const n = Buffer.byteLength(lines[i]!, 'utf8') + 1;
      body -= n;
      dropped += n;
      i++;
    }
    this.header.paddock.dropped += dropped;
    const out = headerLine(this.header) + lines.slice(i).join('\n');
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, out);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    closeSync(this.fd!);
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = Buffer.byteLength(out, 'utf8');
  }

  /** Records a chunk of the run's stdout or stderr (masked). */
  output(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const m = this.maskers.get(stream)!;
    const text = m.text.write(m.mask.push(chunk));
    if (text) this.append(eventLine(this.seconds(), 'o', text));
  }

  /** The stream ended: what its masker held back was no secret after all. */
  endStream(stream: 'stdout' | 'stderr'): void {
    const m = this.maskers.get(stream)!;
    const text = m.text.write(m.mask.flush()) + m.text.end();
    if (text) this.append(eventLine(this.seconds(), 'o', text));
  }

  /** The run ended: an `exit CODE` marker, and the file is closed. */
  finish(exitCode: number): void {
    this.endStream('stdout');
    this.endStream('stderr');
    this.append(eventLine(this.seconds(), 'm', `exit ${exitCode}`));
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
