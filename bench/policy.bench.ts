/**
 * Net policy benchmark: decisions/second and per-decision p50/p99 for the compiled
 * (indexed) policy and the naive linear scan, at 10, 1 000 and 10 000 rules.
 * Run: npx tsx bench/policy.bench.ts
 */
import { compilePolicy, parseRules, type NetRequest, type Policy } from '../src/core/policy/index.js';
import { loadavg } from 'node:os';
import { percentile, writeSection } from './report.js';

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TLDS = ['com', 'net', 'org', 'io', 'dev'];
const PORTS = ['', '', '', ':443', ':8443', ':8000-8100', ':*', ':22'];

function makeRules(n: number, rand: () => number): { text: string; hosts: string[]; domains: string[] } {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const lines: string[] = [];
  const hosts: string[] = [];
  const domains: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    const effect = r < 0.05 ? 'deny' : r < 0.1 ? 'ask' : 'allow';
    const k = rand();
    let pattern: string;
    if (k < 0.6) {
      const h = `svc${i}.vendor${Math.floor(rand() * 500)}.${pick(TLDS)}`;
      hosts.push(h);
      pattern = h + pick(PORTS);
    } else if (k < 0.85) {
      const d = `corp${i}.${pick(TLDS)}`;
      domains.push(d);
      pattern = `*.${d}${pick(PORTS)}`;
    } else if (k < 0.97) {
      const prefix = 8 + Math.floor(rand() * 25);
      const ip = Math.floor(rand() * 2 ** 32) >>> 0;
      const base = (prefix === 0 ? 0 : (ip >>> (32 - prefix)) << (32 - prefix)) >>> 0;
      pattern = `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/${prefix}${pick(PORTS)}`;
    } else {
      const g = () => Math.floor(rand() * 65536).toString(16);
      pattern = `2a0${Math.floor(rand() * 9)}:${g()}:${g()}::/48`;
    }
    lines.push(`${effect} net ${pattern}`);
  }
  return { text: lines.join('\n'), hosts, domains };
}

function makeRequests(count: number, hosts: string[], domains: string[], rand: () => number): NetRequest[] {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const out: NetRequest[] = [];
  for (let i = 0; i < count; i++) {
    const k = rand();
    const port = pick([443, 443, 80, 8443, 8050, 22]);
    if (k < 0.35 && hosts.length) out.push({ host: pick(hosts), port, address: '93.184.216.34' });
    else if (k < 0.55 && domains.length) out.push({ host: `api.eu.${pick(domains)}`, port });
    else if (k < 0.7) out.push({ host: `unknown${i}.example.${pick(TLDS)}`, port });
    else if (k < 0.85) out.push({ host: `${Math.floor(rand() * 224)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`, port });
    else if (k < 0.95) out.push({ host: 'myname.test', port, address: pick(['127.0.0.1', '10.1.2.3', '169.254.169.254', '8.8.8.8']) });
    else out.push({ host: `[2a03:${Math.floor(rand() * 65536).toString(16)}::1]`, port });
  }
  return out;
}

interface Result {
  perSec: number;
  p50: number;
  p99: number;
}

/** Times batches of `batch` decisions; each sample is the batch time / batch (ns per decision). */
function measure(decide: (r: NetRequest) => unknown, reqs: NetRequest[], batch: number): Result {
  for (let i = 0; i < Math.min(reqs.length, 2000); i++) decide(reqs[i]!); // warm-up (JIT)
  const samples: number[] = [];
  let total = 0n;
  for (let i = 0; i + batch <= reqs.length; i += batch) {
    const t0 = process.hrtime.bigint();
    for (let j = i; j < i + batch; j++) decide(reqs[j]!);
    const dt = process.hrtime.bigint() - t0;
    total += dt;
    samples.push(Number(dt) / batch);
  }
  const n = samples.length * batch;
  return { perSec: n / (Number(total) / 1e9), p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const fmtUs = (ns: number): string => (ns / 1000).toFixed(2);
const fmtRate = (r: number): string => Math.round(r).toLocaleString('en-US');

const rows: string[] = [];
let goalMet = false;
let p99At10k = NaN;
for (const n of [10, 1000, 10_000]) {
  const rand = rng(n);
  const { text, hosts, domains } = makeRules(n, rand);
  const parsed = parseRules(text);
  if (parsed.diagnostics.length) throw new Error(`generated rules did not parse: ${JSON.stringify(parsed.diagnostics[0])}`);
  const t0 = process.hrtime.bigint();
  const policy: Policy = compilePolicy(parsed.rules);
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const reqs = makeRequests(200_000, hosts, domains, rand);
  const fast = measure((r) => policy.decideNet(r), reqs, 10);
  const naiveReqs = reqs.slice(0, n >= 10_000 ? 4000 : 40_000);
  const naive = measure((r) => policy.naiveDecideNet(r), naiveReqs, 10);
  if (n === 10_000) {
    p99At10k = fast.p99;
    goalMet = fast.p99 <= 5000;
  }
  rows.push(
    `| ${n.toLocaleString('en-US')} | compiled (indexed) | ${fmtRate(fast.perSec)} | ${fmtUs(fast.p50)} | ${fmtUs(fast.p99)} | ${compileMs.toFixed(1)} ms |`,
    `| ${n.toLocaleString('en-US')} | naive linear scan (baseline) | ${fmtRate(naive.perSec)} | ${fmtUs(naive.p50)} | ${fmtUs(naive.p99)} | — |`,
  );
  console.log(`${n} rules: compiled ${fmtRate(fast.perSec)}/s p50 ${fmtUs(fast.p50)}µs p99 ${fmtUs(fast.p99)}µs (compile ${compileMs.toFixed(1)} ms); naive ${fmtRate(naive.perSec)}/s p50 ${fmtUs(naive.p50)}µs p99 ${fmtUs(naive.p99)}µs`);
}

const md = `## Policy: net decisions

\`npx tsx bench/policy.bench.ts\`. Rules are a realistic mix (60 % exact hosts, 25 % \`*.domain\`, 12 % IPv4 CIDRs, 3 % IPv6 /48, 5 % deny, 5 % ask, assorted ports). Requests mix hits, subdomain hits, misses, IP literals, and names with a resolved (sometimes special) address. Latency is per decision, from batches of 10 timed with \`process.hrtime.bigint\` after warm-up.

| rules | matcher | decisions/s | p50 µs | p99 µs | compile |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (other work on the machine inflates p99).

Goal: **p99 ≤ 5 µs at 10 000 rules** (compiled) — ${goalMet ? `met (${fmtUs(p99At10k)} µs)` : `NOT met (${fmtUs(p99At10k)} µs)`}.`;
writeSection('policy', md);
console.log(goalMet ? 'goal met' : 'goal NOT met');
