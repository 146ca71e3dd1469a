// Proxy throughput (and, from cli-latency.ts, per-connection latency) of `paddock run` against srt
// (issue 17): the same download, from a local HTTP server on loopback, by curl inside each sandbox
// through its egress proxy as a CONNECT tunnel (`curl -p`, the way HTTPS goes), beside curl
// outside any sandbox. Loopback only.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { proxyLatency } from './cli-latency.js';
import { percentile } from './report.js';
import type { Srt } from './srt.js';

export interface Throughput {
  markdown: string[];
}

const SIZE = Number(process.env.BENCH_CLI_MIB ?? 256) * 2 ** 20;
const RUNS = 3;

const SERVER = `
const { createServer } = require('node:http');
const size = Number(process.argv[1]); const chunk = Buffer.alloc(1 << 20, 120);
const srv = createServer((req, res) => {
  res.writeHead(200, { 'content-length': size });
  let left = size;
  const pump = () => { while (left > 0) { const n = Math.min(left, chunk.length); left -= n; if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return res.once('drain', pump); } res.end(); };
  pump();
});
srv.listen(0, '127.0.0.1', () => process.stdout.write(srv.address().port + '\\n'));
`;

/** MiB/s of one download, read from curl's own report (bytes and seconds of the transfer). */
function mibps(argv: string[], cwd: string): number {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', cwd, timeout: 300_000 });
  const m = /(\d+) (\d+) ([\d.]+)/.exec(r.stdout);
  if (r.status !== 0 || !m || m[2] !== '200' || Number(m[1]) !== SIZE) throw new Error(`${argv.slice(-1)[0]} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout).slice(0, 300)}`);
  return Number(m[1]) / 2 ** 20 / Number(m[3]);
}

export async function proxyThroughput(o: { bin: string; tmp: string; srt: Srt; dataDir: string }): Promise<Throughput> {
  const server = spawn(process.execPath, ['-e', SERVER, String(SIZE)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
      server.once('exit', () => reject(new Error('the local server did not start')));
    });
    const url = `http://127.0.0.1:${port}/`;
    // Both sandboxes list loopback in NO_PROXY; emptied so curl goes through the proxy (as for any host).
    const curl = `NO_PROXY= no_proxy= exec curl -s -p -o /dev/null -w '%{size_download} %{http_code} %{time_total}' ${url}`;
    const profile = join(o.tmp, 'net.yaml');
    writeFileSync(profile, `name: bench-net\nnetwork: on\nrules: |\n  allow net 127.0.0.1:${port}\ncommand: ["true"]\n`);
    const paths: { label: string; argv: string[] }[] = [
      { label: 'curl on the host, no proxy — baseline', argv: ['sh', '-c', `exec curl -s -o /dev/null -w '%{size_download} %{http_code} %{time_total}' ${url}`] },
      { label: "`paddock run`: curl → proxy's listener in its namespace → proxy → relay", argv: [process.execPath, o.bin, '--data-dir', o.dataDir, 'run', profile, '--', 'sh', '-c', curl] },
      ...(o.srt.ok ? [{ label: '`srt`: curl → its bridge → its proxy (Node)', argv: [...o.srt.argv, 'sh', '-c', curl] }] : []),
    ];
    const got = paths.map(() => [] as number[]);
    for (let i = 0; i < RUNS; i++) paths.forEach((p, j) => got[j]!.push(mibps(p.argv, o.tmp)));
    const med = got.map((s) => percentile(s, 50));
    const srtMed = o.srt.ok ? med[2]! : null;
    const lines = [
      `A ${SIZE / 2 ** 20} MiB download over HTTP from a local server (127.0.0.1), ${RUNS} runs per path, interleaved; the sandboxed ones through each tool's egress proxy as a CONNECT tunnel (\`curl -p\`), the way HTTPS goes. Transfer rate as curl reports it (bytes over its total time).`,
      '',
      '| path | median | range | vs baseline | vs srt |',
      '| --- | --- | --- | --- | --- |',
      ...paths.map((p, j) => {
        const s = got[j]!;
        return `| ${p.label} | ${med[j]!.toFixed(0)} MiB/s | ${Math.min(...s).toFixed(0)}–${Math.max(...s).toFixed(0)} | ${(med[j]! / med[0]!).toFixed(2)}× | ${srtMed && j > 0 ? `${(med[j]! / srtMed).toFixed(2)}×` : ''} |`;
      }),
      ...(o.srt.ok ? [] : ['', `srt is not measured: ${o.srt.why}`]),
      '',
      ...(await proxyLatency(o)),
    ];
    return { markdown: lines };
  } finally {
    server.kill('SIGKILL');
  }
}
