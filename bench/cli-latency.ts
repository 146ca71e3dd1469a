// Per-connection latency of `paddock run`'s egress path against srt's (issue 17 goal 3, beside
// the egress bench's own rows): a Node client inside each sandbox opens a CONNECT tunnel through
// the proxy its sandbox names in HTTPS_PROXY and makes one small HTTP exchange, N times; the
// baseline is the same client on the host, connecting to the server directly. Loopback only.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from './report.js';
import type { Srt } from './srt.js';

const ROUNDS = 5;
const PER_ROUND = 200;

/** One small exchange per connection; through HTTPS_PROXY when the first argument is "proxy". Prints the milliseconds as JSON. */
const CLIENT = `
const net = require('node:net');
const [how, port, n] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let target = { host: '127.0.0.1', port }, pre = '';
if (how === 'proxy') {
  const u = new URL(process.env.HTTPS_PROXY || process.env.https_proxy);
  target = { host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname, port: Number(u.port) };
  // srt's proxy URL carries credentials; its proxy wants them back.
  const auth = u.username ? 'Proxy-Authorization: Basic ' + Buffer.from(decodeURIComponent(u.username) + ':' + decodeURIComponent(u.password)).toString('base64') + '\\r\\n' : '';
  pre = 'CONNECT 127.0.0.1:' + port + ' HTTP/1.1\\r\\nHost: 127.0.0.1:' + port + '\\r\\n' + auth + '\\r\\n';
}
const one = () => new Promise((res, rej) => {
  const t0 = process.hrtime.bigint();
  const s = net.connect(target);
  let b = '';
  s.on('data', (d) => { b += d.toString('latin1'); if (b.endsWith('ok')) { s.destroy(); res(Number(process.hrtime.bigint() - t0) / 1e6); } else if (!b.startsWith('HTTP/1.1 200')) rej(new Error(b.slice(0, 200))); });
  s.on('error', rej);
  s.write(pre + 'GET / HTTP/1.1\\r\\nHost: 127.0.0.1:' + port + '\\r\\nConnection: close\\r\\n\\r\\n');
});
(async () => { const o = []; for (let i = 0; i < 50; i++) await one(); for (let i = 0; i < n; i++) o.push(await one()); process.stdout.write(JSON.stringify(o)); })();
`;

const SERVER = `
const srv = require('node:http').createServer((_q, r) => r.end('ok'));
srv.listen(0, '127.0.0.1', () => process.stdout.write(srv.address().port + '\\n'));
`;

function run(argv: string[], cwd: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as number[]);
      } catch {
        reject(new Error(`the latency client failed (exit ${code}): ${(err || out).trim().slice(0, 300)}`));
      }
    });
  });
}

/** Markdown lines: the direct baseline, `paddock run`'s path and srt's, p50/p99 and what each adds. */
export async function proxyLatency(o: { bin: string; tmp: string; srt: Srt; dataDir: string }): Promise<string[]> {
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
      server.once('exit', () => reject(new Error('the local server did not start')));
    });
    // The client is a file in the agent's workspace (srt runs its command through a shell, which
    // would split an inline script), the current folder of both sandboxes.
    const ws = join(o.tmp, 'lat-ws');
    mkdirSync(ws, { recursive: true });
    writeFileSync(join(ws, 'client.cjs'), CLIENT);
    const profile = join(o.tmp, 'lat.yaml');
    writeFileSync(profile, `name: bench-lat\nworkspace: ${ws}\nnetwork: on\nrules: |\n  allow net 127.0.0.1:${port}\ncommand: ["true"]\n`);
    const args = ['client.cjs', 'proxy', String(port), String(PER_ROUND)];
    const paths: { label: string; argv: string[] }[] = [
      { label: 'direct, on the host — baseline', argv: [process.execPath, 'client.cjs', 'direct', String(port), String(PER_ROUND)] },
      { label: "`paddock run`: client → proxy's listener in its namespace → proxy", argv: [process.execPath, o.bin, '--data-dir', o.dataDir, 'run', profile, '--', process.execPath, ...args] },
      ...(o.srt.ok ? [{ label: '`srt`: client → its bridge → its proxy', argv: [...o.srt.argv, process.execPath, ...args] }] : []),
    ];
    const got = paths.map(() => [] as number[]);
    for (let r = 0; r < ROUNDS; r++) for (const [j, p] of paths.entries()) got[j]!.push(...(await run(p.argv, ws)));
    const d50 = percentile(got[0]!, 50);
    const d99 = percentile(got[0]!, 99);
    const ms = (x: number): string => x.toFixed(3);
    return [
      `Per connection: connect + CONNECT + one small HTTP exchange from a Node client inside each sandbox, through the proxy named in its \`HTTPS_PROXY\`, ${ROUNDS * PER_ROUND} samples per path in ${ROUNDS} interleaved rounds (50 warm-up each); the baseline is the same client on the host connecting directly.`,
      '',
      '| path | p50 | p99 | added p50 | added p99 |',
      '| --- | --- | --- | --- | --- |',
      ...paths.map((p, j) => {
        const [a50, a99] = [percentile(got[j]!, 50), percentile(got[j]!, 99)];
        return `| ${p.label} | ${ms(a50)} ms | ${ms(a99)} ms | ${j ? `${ms(a50 - d50)} ms` : ''} | ${j ? `${ms(a99 - d99)} ms` : ''} |`;
      }),
      ...(o.srt.ok ? [] : ['', `srt is not measured: ${o.srt.why}`]),
    ];
  } finally {
    server.kill('SIGKILL');
  }
}
