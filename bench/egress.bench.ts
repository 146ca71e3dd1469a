/**
 * Egress proxy benchmark (plain script: `npx tsx bench/egress.bench.ts`). Loopback only.
 * - Throughput of a 1 GiB download from a loopback server: direct vs through the proxy's Unix
 *   socket (CONNECT tunnel) vs through a socat bridge (what runs inside the sandbox), same run.
 * - Added latency per connection: connect + one small HTTP exchange, direct vs through the proxy.
 * Goals (issue 4): ≥ 0.9× direct throughput; ≤ 1 ms added p50.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApprovalQueue } from '../src/core/egress/approvals.js';
import { createEgress } from '../src/core/egress/egress.js';
import { compilePolicy, parseRules } from '../src/core/policy/index.js';
import { percentile, writeSection } from './report.js';

const GiB = 1024 ** 3;

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as net.AddressInfo).port;
}

/** The client runs in its own process (as the agent would), so only the proxy shares our event loop. */
const CLIENT_JS = `
const net = require('net');
const [target, pre] = [process.argv[1], process.argv[2]];
const s = target.startsWith('/') ? net.connect(target) : net.connect(Number(target), '127.0.0.1');
let n = 0, head = pre === '', buf = '';
const t0 = process.hrtime.bigint();
s.on('data', (d) => { if (!head) { buf += d.toString('latin1'); const i = buf.indexOf('\\r\\n\\r\\n'); if (i < 0) return; head = true; n += buf.length - (i + 4); return; } n += d.length; });
s.on('close', () => { process.stdout.write(JSON.stringify({ n, s: Number(process.hrtime.bigint() - t0) / 1e9 })); });
if (pre) s.write(pre);
`;

async function throughput(target: string, preamble: string | null): Promise<number> {
  const child = spawn(process.execPath, ['-e', CLIENT_JS, target, preamble ?? ''], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on('close', r));
  const { n, s } = JSON.parse(out) as { n: number; s: number };
  if (n < GiB) throw new Error(`short transfer: ${n} bytes`);
  return n / s / 2 ** 20; // MiB/s
}

/** The 1 GiB server runs in its own process too. */
const SERVER_JS = `
const net = require('net');
const CHUNK = Buffer.alloc(1024 * 1024, 7);
const total = ${GiB};
const srv = net.createServer((c) => { let sent = 0; const pump = () => { while (sent < total) { sent += CHUNK.length; if (!c.write(CHUNK)) return void c.once('drain', pump); } c.end(); }; c.on('error', () => c.destroy()); pump(); });
srv.listen(0, '127.0.0.1', () => process.stdout.write(String(srv.address().port) + '\\n'));
`;

/** One connection + one small HTTP exchange; returns milliseconds. */
function exchange(connect: () => net.Socket, prefix: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = connect();
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.endsWith('ok')) {
        s.destroy();
        resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    });
    s.on('error', reject);
    s.write(`${prefix}GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  const p = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-egress-bench-'));
  let events = 0;
  const log = (): void => void events++;
  const queue = new ApprovalQueue({ log, addRule: () => {} });
  const egress = createEgress({ log, approvals: queue, ownAddresses: () => [] });
  const big = spawn(process.execPath, ['-e', SERVER_JS], { stdio: ['ignore', 'pipe', 'inherit'] });
  const bigPort = await new Promise<number>((r) => big.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
  const small = http.createServer((_q, r) => r.end('ok'));
  const smallPort = await listen(small);
  const { socketPath } = await egress.open({
    agent: 'bench', socketDir: path.join(dir, 'sock'), mode: 'proxy',
    policy: compilePolicy(parseRules(`allow net 127.0.0.1:${bigPort}\nallow net 127.0.0.1:${smallPort}`).rules),
  });
  const bridgePort = await freePort();
  const socat = spawn('socat', [`TCP-LISTEN:${bridgePort},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${socketPath}`], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const connectBig = `CONNECT 127.0.0.1:${bigPort} HTTP/1.1\r\n\r\n`;
  try {
    const direct: number[] = [];
    const viaSock: number[] = [];
    const viaBridge: number[] = [];
    for (let i = 0; i < 2; i++) {
      direct.push(await throughput(String(bigPort), null));
      viaSock.push(await throughput(socketPath, connectBig));
      viaBridge.push(await throughput(String(bridgePort), connectBig));
    }
    const best = (a: number[]): number => Math.max(...a);
    const N = 400;
    const lDirect: number[] = [];
    const lProxy: number[] = [];
    const connectSmall = `CONNECT 127.0.0.1:${smallPort} HTTP/1.1\r\n\r\n`;
    for (let i = 0; i < 50; i++) await exchange(() => net.connect(socketPath), connectSmall, smallPort); // warm-up
    for (let i = 0; i < N; i++) {
      lDirect.push(await exchange(() => net.connect(smallPort, '127.0.0.1'), '', smallPort));
      lProxy.push(await exchange(() => net.connect(socketPath), connectSmall, smallPort));
    }
    const d50 = percentile(lDirect, 50);
    const d99 = percentile(lDirect, 99);
    const p50 = percentile(lProxy, 50);
    const p99 = percentile(lProxy, 99);
    const f = (x: number): string => x.toFixed(0);
    const ms = (x: number): string => x.toFixed(3);
    const rs = best(viaSock) / best(direct);
    const rb = best(viaBridge) / best(direct);
    const md = [
      '## Egress proxy',
      '',
      'Loopback only. 1 GiB download from a local TCP server to a client, each in its own process (best of 2 runs each), and connect + one small HTTP exchange (400 samples each, after 50 warm-up). `npx tsx bench/egress.bench.ts`.',
      '',
      '| path | throughput | vs direct | goal |',
      '| --- | --- | --- | --- |',
      `| direct TCP (baseline) | ${f(best(direct))} MiB/s | 1.00× | |`,
      `| proxy Unix socket, CONNECT tunnel | ${f(best(viaSock))} MiB/s | ${rs.toFixed(2)}× | ≥ 0.9× ${rs >= 0.9 ? '✅' : '❌'} |`,
      `| socat bridge (as in the sandbox) → proxy | ${f(best(viaBridge))} MiB/s | ${rb.toFixed(2)}× | ≥ 0.9× ${rb >= 0.9 ? '✅' : '❌'} |`,
      '',
      '| per connection | p50 | p99 |',
      '| --- | --- | --- |',
      `| direct (baseline) | ${ms(d50)} ms | ${ms(d99)} ms |`,
      `| through the proxy (CONNECT + decision + dial) | ${ms(p50)} ms | ${ms(p99)} ms |`,
      `| added | ${ms(p50 - d50)} ms (goal ≤ 1 ms ${p50 - d50 <= 1 ? '✅' : '❌'}) | ${ms(p99 - d99)} ms |`,
    ].join('\n');
    console.log(md);
    writeSection('egress', md);
  } finally {
    socat.kill('SIGTERM');
    await egress.closeAll();
    queue.close();
    big.kill('SIGTERM');
    small.close();
    rmSync(dir, { recursive: true, force: true });
  }
  void events;
}

await main();
