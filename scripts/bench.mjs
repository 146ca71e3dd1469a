#!/usr/bin/env node
// `npm run bench`: runs every benchmark in turn (each rewrites its own `<!-- bench:NAME -->` section of
// docs/PERFORMANCE.md), then rewrites the summary at the top of that file (everything above the first
// marker): the machine, how long each bench took, and — plainly — every figure that misses its goal.
// Options: BENCH_ONLY=policy,store to run some; BENCH_SUMMARY_ONLY=1 to only rebuild the summary;
// BENCH_QUICK=1 for the store's 1 000 000-event log instead of 10 000 000.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const DOC = join(ROOT, 'docs', 'PERFORMANCE.md');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** The benchmarks, in the order they run (the UI one last: it needs the built renderer). */
const BENCHES = [
  { name: 'policy', args: ['bench/policy.bench.ts'] },
  // Issue 7 asks for query latency among 10 000 000 events: the full size unless BENCH_QUICK=1.
  { name: 'store', args: ['bench/store.bench.ts'], env: process.env.BENCH_QUICK ? {} : { BENCH_FULL: '1' } },
  { name: 'sandbox', args: ['bench/sandbox.bench.ts'] },
  { name: 'engine', args: ['bench/engine.bench.ts'] },
  { name: 'egress', args: ['bench/egress.bench.ts'], needs: () => spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-native.mjs')], { stdio: 'inherit' }).status === 0 },
  // The command line as built (native helpers, then the esbuild bundle bin/paddock runs), beside node -e 0 and srt.
  { name: 'cli', args: ['bench/cli.bench.ts'], needs: () => ['scripts/build-native.mjs', 'scripts/build-cli.mjs'].every((s) => spawnSync(process.execPath, [join(ROOT, s)], { stdio: 'inherit' }).status === 0) },
  { name: 'ui', args: ['bench/ui.ts'], needs: () => existsSync(join(ROOT, 'out', 'renderer', 'index.html')) || build('ui') },
];

function build(why) {
  process.stderr.write(`bench: building the renderer for the ${why} bench (npx electron-vite build)\n`);
  return spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' }).status === 0;
}

const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const ran = [];
if (!process.env.BENCH_SUMMARY_ONLY) {
  for (const b of BENCHES) {
    if (only && !only.has(b.name)) continue;
    if (b.needs && !b.needs()) {
      ran.push({ name: b.name, status: 'skipped (prerequisite missing)', seconds: 0 });
      continue;
    }
    process.stderr.write(`bench: ${b.name} …\n`);
    const t = Date.now();
    const r = spawnSync(process.execPath, [TSX, ...b.args], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...(b.env ?? {}) } });
    ran.push({ name: b.name, status: r.status === 0 ? 'ok' : `failed (exit ${r.status ?? r.signal})`, seconds: (Date.now() - t) / 1000 });
  }
}

/** The text of one bench section, or null. */
function section(doc, name) {
  const i = doc.indexOf(`<!-- bench:${name} -->`);
  const j = doc.indexOf(`<!-- /bench:${name} -->`);
  return i >= 0 && j > i ? doc.slice(i, j) : null;
}
const num = (s) => Number(String(s).replace(/[,\s]/g, ''));

/** Figures that miss their goals, per section. Each checker reads the section's own wording. */
const CHECKS = {
  policy(s, miss) {
    const m = /Goal: \*\*(.+?)\*\*.*?— NOT met \(([^)]+)\)/.exec(s);
    if (m) miss(`policy: ${m[1]} — measured ${m[2]}`);
  },
  sandbox(s, miss) {
    const r = /Ratio of medians: \*\*([\d.]+)×\*\* \(goal ≤ ([\d.]+)×\)/.exec(s);
    if (r && num(r[1]) > num(r[2])) miss(`sandbox: start-to-exit overhead ${r[1]}× bare bwrap (goal ≤ ${r[2]}×)`);
    for (const row of s.split('\n').filter((l) => /^\| (cgroup|fallback)/.test(l))) {
      const c = row.split('|').map((x) => x.trim());
      const [pMed, pMax, kMed, kMax] = c.slice(2, 6).map(num);
      // The mechanism cell reads "PAUSE-MECHANISM; KILL-MECHANISM" (fallback rows: "fallback: …; …").
      const [pLabel, kLabel = pLabel] = c[1].replace(/^fallback: /, '').split('; ');
      const short = (l) => (l.length > 50 ? `${l.slice(0, 47)}…` : l);
      if (pMax > 100) miss(`sandbox: pause of 500 processes by ${short(pLabel)}: median ${pMed} ms, max ${pMax} ms (goal ≤ 100 ms)`);
      if (kMax > 100) miss(`sandbox: kill of 500 processes by ${short(kLabel)}: median ${kMed} ms, max ${kMax} ms (goal ≤ 100 ms)`);
    }
  },
  engine(s, miss) {
    // The section says "**R×** with the launcher ready (goal ≤ G×: …)"; an older one "**R×** (goal ≤ G×)".
    const r = /Ratio of medians: \*\*([\d.]+)×\*\*(?: with the launcher ready)? \(goal ≤ ([\d.]+)×/.exec(s);
    if (r && num(r[1]) > num(r[2])) miss(`engine: agent start-to-exit through the engine ${r[1]}× bare bwrap with the same mounts (goal ≤ ${r[2]}×)`);
  },
  egress(s, miss) {
    for (const row of s.split('\n').filter((l) => l.startsWith('|') && l.includes('❌'))) {
      const c = row.split('|').map((x) => x.trim()).filter(Boolean);
      miss(`egress: ${c.join(' — ').replace(/ ❌/g, '')}`);
    }
  },
  store(s, miss) {
    // Issue 17 goal 5: the ingest row carries its goal and ✅/❌; other figures stand beside their baselines.
    for (const row of s.split('\n').filter((l) => l.startsWith('|') && l.includes('❌'))) {
      const c = row.split('|').map((x) => x.trim()).filter(Boolean);
      miss(`store: ${c[0]} — ${c[1].replace(/ ❌/, '')} — ${c[2]}`);
    }
  },
  cli(s, miss) {
    for (const row of s.split('\n').filter((l) => l.startsWith('|') && l.includes('❌'))) {
      const c = row.split('|').map((x) => x.trim()).filter(Boolean);
      miss(`cli: ${c[0]} — median ${c[1]} — ${c[3]} — goal ${c[4].replace(/ ❌/, '')}`);
    }
    const srt = /srt could not run here: ([^\n]+)/.exec(s);
    if (srt) miss(`cli: srt could not run, so \`paddock run\` was not compared with it: ${srt[1]}`);
  },
  ui(s, miss) {
    const lt = /\| long tasks[^|]*\| (\d+)/.exec(s);
    if (lt && num(lt[1]) > 0) miss(`ui: ${lt[1]} long tasks (> 50 ms) under 1 000 events/s (goal 0)`);
    for (const row of s.split('\n').filter((l) => l.startsWith('|') && l.includes('❌'))) miss(`ui: ${row.replace(/\|/g, ' ').trim()}`);
  },
};

let doc = readFileSync(DOC, 'utf8');
const misses = [];
const missing = [];
for (const name of Object.keys(CHECKS)) {
  const s = section(doc, name);
  if (!s) {
    missing.push(name);
    continue;
  }
  CHECKS[name](s, (text) => misses.push(text));
  const when = /_Measured (\S+) on/.exec(s)?.[1];
  if (when && !ran.some((r) => r.name === name)) ran.push({ name, status: `not rerun (section from ${when})`, seconds: 0 });
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
const summary = [
  '# Performance',
  '',
  'Every figure sits beside its baseline, measured in the same run. `npm run bench` reruns every',
  'benchmark and rewrites this summary; each section below is owned by its bench script.',
  '',
  `Machine: ${machine}. Load average after the run: ${loadavg().map((x) => x.toFixed(1)).join(' / ')}.`,
  `Summary written ${new Date().toISOString()}.`,
  '',
  '## Goals missed',
  '',
  ...(misses.length ? misses.map((m) => `- ❌ ${m}`) : ['- none: every figure with a goal meets it.']),
  ...ran.filter((r) => r.status.startsWith('failed') || r.status.startsWith('skipped')).map((r) => `- ⚠ ${r.name}: the bench ${r.status} this run; its section below is from an earlier run.`),
  ...(missing.length ? ['', `No section yet for: ${missing.join(', ')}.`] : []),
  '',
  '## Benchmarks run',
  '',
  '| bench | status | seconds |',
  '| --- | --- | --- |',
  ...ran.map((r) => `| ${r.name} | ${r.status} | ${r.seconds ? r.seconds.toFixed(0) : '—'} |`),
  '',
].join('\n');

const first = doc.indexOf('<!-- bench:');
doc = first >= 0 ? `${summary}\n${doc.slice(first)}` : `${summary}\n${doc}`;
writeFileSync(DOC, doc);
process.stdout.write(`${summary}\n`);
process.exitCode = ran.some((r) => r.status.startsWith('failed')) ? 1 : 0;
