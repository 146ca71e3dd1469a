// Store benchmark: hash-chained event ingestion vs plain INSERT, and query latency over a big log.
// Run: npx tsx bench/store.bench.ts   (N = 1 000 000; BENCH_FULL=1 for N = 10 000 000)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MIGRATIONS, openDatabase, openStore, type EventQuery, type Store } from '../src/core/store/index.js';
import type { NewEvent } from '../src/shared/events.schema.js';
import { percentile, writeSection } from './report.js';

const FULL = process.env.BENCH_FULL === '1';
const N = FULL ? 10_000_000 : 1_000_000;
const AGENTS = Array.from({ length: 20 }, (_, i) => `agent-${i}`);
const dir = mkdtempSync(join(tmpdir(), 'paddock-bench-store-'));

function event(i: number): NewEvent {
  const agent = AGENTS[i % AGENTS.length]!;
  switch (Math.floor(i / AGENTS.length) % 5) {
    case 0:
      return { kind: 'net.allow', agent, run: 'r1', host: `h${i % 97}.example.test`, port: 443, rule: 'allow net *.example.test', line: 2, reason: 'matched', bytesUp: i % 4096, bytesDown: i % 65536 };
    case 1:
      return { kind: 'net.deny', agent, run: 'r1', host: `evil${i % 13}.test`, port: 22, rule: null, line: null, reason: 'default: net is denied' };
    case 2:
      return { kind: 'fs.change', agent, run: 'r1', path: `/home/u/work/file-${i % 1000}.txt`, change: 'modify' };
    default:
      return { kind: 'proc.exec', agent, run: 'r1', pid: 1000 + (i % 30000), argv: ['git', 'commit', '-m', `change ${i}`] };
  }
}

const rate = (n: number, ms: number): number => Math.round((n / ms) * 1000);
const fmt = (n: number): string => n.toLocaleString('en-US');

function timeIt(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** Wall and process CPU milliseconds of fn (CPU time is the steadier figure on a shared machine). */
function timeBoth(fn: () => void): { wall: number; cpu: number } {
  const c = process.cpuUsage();
  const wall = timeIt(fn);
  const u = process.cpuUsage(c);
  return { wall, cpu: (u.user + u.system) / 1000 };
}

/** Hash-chained ingestion through the real EventsRepo. */
function ingestChained(store: Store, count: number, batch: number, offset: number): { wall: number; cpu: number } {
  return timeBoth(() => {
    for (let i = 0; i < count; i += batch) {
      if (batch === 1) store.events.append(event(offset + i));
      else store.events.appendMany(Array.from({ length: Math.min(batch, count - i) }, (_, k) => event(offset + i + k)));
    }
  });
}

/**
 * Baseline: the same rows with a plain INSERT (no canonical JSON, no hashing), same indexes, into the
 * schema-5 table with empty hash columns: the baseline issue 17 was measured against, which does not
 * move with the chain's own storage (schema 6 stores a 32-byte hash where this stores two empty texts).
 */
function ingestPlain(file: string, count: number, batch: number): { wall: number; cpu: number } {
  const db = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 5) });
  const ins = db.prepare('INSERT INTO events (ts, agent, kind, run, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const tx = db.transaction((rows: NewEvent[]) => {
    for (const e of rows) {
      const { kind, agent, run, ...body } = e;
      ins.run(new Date().toISOString(), agent, kind, run ?? null, JSON.stringify(body), '', '');
    }
  });
  const ms = timeBoth(() => {
    for (let i = 0; i < count; i += batch) tx.immediate(Array.from({ length: Math.min(batch, count - i) }, (_, k) => event(i + k)));
  });
  db.close();
  return ms;
}

function latency(store: Store, q: EventQuery, runs = 300): { p50: number; p95: number } {
  const s: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const out = store.events.query(q);
    s.push(performance.now() - t);
    if (out.length === 0) throw new Error('empty query result');
  }
  return { p50: percentile(s, 50), p95: percentile(s, 95) };
}

const rows: string[] = [];
const row = (...cells: (string | number)[]): void => void rows.push(`| ${cells.join(' | ')} |`);

try {
  // 1. Ingestion rates: fresh files, each measure the best of 5 interleaved rounds (the machine is shared),
  // in wall time and in process CPU time.
  const INGEST = 100_000;
  const SINGLE = 10_000;
  const FULL_SINGLE = 1_000;
  const ROUNDS = 5;
  const load0 = loadavg()[0]!;
  const keys = ['chainBatch', 'chainSingle', 'chainFull', 'plainBatch', 'plainSingle'] as const;
  const best = Object.fromEntries(keys.map((k) => [k, { wall: Infinity, cpu: Infinity }])) as Record<(typeof keys)[number], { wall: number; cpu: number }>;
  const keep = (k: (typeof keys)[number], t: { wall: number; cpu: number }): void => {
    best[k] = { wall: Math.min(best[k].wall, t.wall), cpu: Math.min(best[k].cpu, t.cpu) };
  };
  for (let round = 0; round < ROUNDS; round++) {
    const chained = openStore(join(dir, `chained-${round}.db`));
    chained.events.anchor(); // as a host does at start: the log's key is pinned before the first event
    keep('chainBatch', ingestChained(chained, INGEST, 100, 0));
    keep('chainSingle', ingestChained(chained, SINGLE, 1, INGEST));
    chained.close();
    const full = openStore(join(dir, `full-${round}.db`), { synchronous: 'full' });
    full.events.anchor();
    keep('chainFull', ingestChained(full, FULL_SINGLE, 1, 0));
    full.close();
    keep('plainBatch', ingestPlain(join(dir, `plain-batch-${round}.db`), INGEST, 100));
    keep('plainSingle', ingestPlain(join(dir, `plain-single-${round}.db`), SINGLE, 1));
  }
  const load1 = loadavg()[0]!;
  const both = (n: number, t: { wall: number; cpu: number }): string => `${fmt(rate(n, t.wall))} events/s (CPU time: ${fmt(rate(n, t.cpu))}/s)`;
  const ratio = (n: number, a: { wall: number; cpu: number }, m: number, b: { wall: number; cpu: number }): string =>
    `${(rate(n, a.wall) / rate(m, b.wall)).toFixed(2)}× in wall time, ${(rate(n, a.cpu) / rate(m, b.cpu)).toFixed(2)}× in CPU time`;
  const GOAL = 100_000;
  const goalMet = rate(INGEST, best.chainBatch.cpu) >= GOAL;
  row(
    'hash-chained appendMany, batches of 100 (sealed)',
    `${both(INGEST, best.chainBatch)}; goal ≥ ${fmt(GOAL)} events/s (CPU time) ${goalMet ? '✅' : '❌'}`,
    `plain INSERT, batches of 100: ${both(INGEST, best.plainBatch)}; chain/plain ${ratio(INGEST, best.chainBatch, INGEST, best.plainBatch)}`,
  );
  row('hash-chained append, one per transaction (sealed)', both(SINGLE, best.chainSingle), `plain INSERT, one per transaction: ${both(SINGLE, best.plainSingle)}; chain/plain ${ratio(SINGLE, best.chainSingle, SINGLE, best.plainSingle)}`);
  row('hash-chained append, synchronous=FULL (fsync per commit)', both(FULL_SINGLE, best.chainFull), `synchronous=NORMAL (default): ${both(SINGLE, best.chainSingle)}`);

  // 2. A big log: build it with the real appendMany in large transactions.
  const bigFile = join(dir, 'big.db');
  const big = openStore(bigFile);
  const BUILD_BATCH = 20_000;
  const buildMs = ingestChained(big, N, BUILD_BATCH, 0).wall;
  big.db.pragma('wal_checkpoint(TRUNCATE)');
  const size = statSync(bigFile).size;
  row(`build a log of ${fmt(N)} events (appendMany, batches of ${fmt(BUILD_BATCH)})`, `${(buildMs / 1000).toFixed(1)} s, ${fmt(rate(N, buildMs))} events/s`, `file ${(size / 2 ** 20).toFixed(0)} MiB (${Math.round(size / N)} B/event)`);

  const agentQ = latency(big, { agent: 'agent-7', limit: 200 });
  const allQ = latency(big, { limit: 200 });
  row(`latest 200 events of one agent among ${fmt(N)} (index range scan)`, `p50 ${agentQ.p50.toFixed(2)} ms, p95 ${agentQ.p95.toFixed(2)} ms`, `latest 200 of the whole log (rowid scan): p50 ${allQ.p50.toFixed(2)} ms`);
  const kindQ = latency(big, { agent: 'agent-7', kindPrefix: 'net.', limit: 200 });
  const followQ = latency(big, { afterId: N - 1000, order: 'asc', limit: 1000 });
  row('latest 200 `net.*` events of one agent (one scan per kind, merged)', `p50 ${kindQ.p50.toFixed(2)} ms, p95 ${kindQ.p95.toFixed(2)} ms`, `follow: next 1000 after an id: p50 ${followQ.p50.toFixed(2)} ms`);
  let verifyOk = false;
  const verifyMs = timeIt(() => {
    verifyOk = big.events.verify().ok;
  });
  row(`verify() the whole chain of ${fmt(N)} events (streamed)`, `${(verifyMs / 1000).toFixed(1)} s, ${fmt(rate(N, verifyMs))} events/s`, `ok=${verifyOk}, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  big.close();

  const md = [
    '## Store (SQLite event log)',
    '',
    `\`npx tsx bench/store.bench.ts\`${FULL ? ' with BENCH_FULL=1' : ' (quick mode; BENCH_FULL=1 builds 10 000 000 events)'}. WAL, synchronous=NORMAL unless noted; events of 4 kinds over 20 agents, ~150-byte bodies. Ingestion figures are the best of ${ROUNDS} interleaved rounds, in wall time and in process CPU time (the steadier one on this shared 2-core machine: load average ${load0.toFixed(1)} before the rounds, ${load1.toFixed(1)} after). The plain-INSERT baseline writes the same rows into the schema-5 table with empty hash columns, as when issue 17 set the goal; read the chain/plain ratios.`,
    '',
    '| measure | result | baseline / note |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'Issue 17 goal 5 (schema 6, `migrations/006-event-hash-blob.ts`): each hash is stored as 32 bytes instead of two 64-character hex texts (`prev_hash` is no longer stored: it is the previous row\'s hash, and it is still inside this row\'s hash), bound as hex and stored by `unhex()` (no Buffer per event), computed with one `crypto.hash` call (no Hash object per event); canonical JSON keeps each body shape\'s sorted and quoted keys, found by comparing key lists. The chain, the seals and the durability settings are unchanged. What the chain still costs over the plain INSERT, per event (CPU profile, `node --cpu-prof`, and the same SQL replayed with precomputed rows, which costs what the plain INSERT does): SHA-256 of the ~290-byte event text (~0.4 µs for the call, ~0.5 µs to build and UTF-8-convert the text), canonical JSON, validation and the returned event (~0.7 µs); per batch an anchor HMAC, a key step and one `log_anchor` row update (one more page in the WAL per commit), which is why one event per transaction stays well below the plain INSERT.',
    '',
    'Durability choice: WAL + `synchronous=NORMAL`. A committed (acknowledged) event is in the WAL file before `append` returns, so it survives a crash or SIGKILL of the process (tested in `test/core/store/db.int.test.ts`); only an OS crash or power loss can lose the last transactions, never corrupt the file. `synchronous: \'full\'` (fsync per commit) closes that gap at the cost shown above.',
  ].join('\n');
  writeSection('store', md);
  console.log(md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
