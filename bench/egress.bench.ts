/**
 * Egress proxy benchmark (plain script: `npx tsx bench/egress.bench.ts`). Loopback only.
 * - Throughput of a 1 GiB download from a loopback server, interleaved in one run: direct; a
 *   do-nothing relay (the ceiling for any proxy here); the agent's real path (a client inside a
 *   real sandbox → the proxy's listener in the sandbox's network namespace → native relay); the
 *   socat bridge it replaced; the proxy socket directly; the proxy without the relay.
 * - Added latency per connection: connect + one small HTTP exchange, direct vs the agent path.
 * Goals (issue 17): agent path ≥ 0.9× the do-nothing relay; ≤ 1 ms added p99.
 */
import { spawn, spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApprovalQueue } from '../src/core/egress/approvals.js';
import { createEgress } from '../src/core/egress/egress.js';
import type { Resolver } from '../src/core/egress/types.js';
import { vetConnection } from '../src/core/egress/vet.js';
import { relayBinary, resetRelayLookup, startRelay } from '../src/core/egress/relay.js';
import { nativeBinary } from '../src/core/native.js';
import { compilePolicy, parseRules } from '../src/core/policy/index.js';
import { inSandbox } from './ns-agent.js';
import { percentile, writeSection } from './report.js';

const GiB = 1024 ** 3;
const RUNS = 5;

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
s.write(pre + 'GET /1g HTTP/1.1\\r\\nHost: bench\\r\\n\\r\\n'); // a client speaks first (HTTP, TLS)
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

/** N sequential exchanges (connect + one small HTTP exchange each) in a process of its own, as the agent makes them; prints their ms as JSON. */
const LATENCY_JS = `
const net = require('net');
const [target, pre, port, n] = [process.argv[1], process.argv[2], process.argv[3], Number(process.argv[4])];
const one = () => new Promise((resolve, reject) => {
  const t0 = process.hrtime.bigint();
  const s = target.startsWith('/') ? net.connect(target) : net.connect(Number(target), '127.0.0.1');
  let buf = '';
  s.on('data', (d) => { buf += d.toString('latin1'); if (buf.endsWith('ok')) { s.destroy(); resolve(Number(process.hrtime.bigint() - t0) / 1e6); } });
  s.on('error', reject);
  s.write(pre + 'GET / HTTP/1.1\\r\\nHost: 127.0.0.1:' + port + '\\r\\nConnection: close\\r\\n\\r\\n');
});
(async () => { const out = []; for (let i = 0; i < 50; i++) await one(); for (let i = 0; i < n; i++) out.push(await one()); process.stdout.write(JSON.stringify(out)); })();
`;

/** Latencies from a client process on the host (`target`: a port or a Unix socket path). */
async function latencies(target: string, pre: string, port: number, n: number): Promise<number[]> {
  const child = spawn(process.execPath, ['-e', LATENCY_JS, target, pre, String(port), String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on('close', r));
  return JSON.parse(out) as number[];
}

/** A plain-HTTP upload: POST (absolute URI) with a 1 GiB Content-Length body; prints bytes and seconds once answered. */
const UPLOAD_JS = `
const net = require('net');
const [target, port] = [process.argv[1], Number(process.argv[2])];
const total = ${GiB};
const CHUNK = Buffer.alloc(1024 * 1024, 9);
const s = net.connect(Number(target), '127.0.0.1');
const t0 = process.hrtime.bigint();
let sent = 0, buf = '';
s.on('data', (d) => { buf += d.toString('latin1'); });
s.on('close', () => { if (!buf.endsWith('ok')) { process.stderr.write('upload failed: ' + buf.slice(0, 200)); process.exit(1); } process.stdout.write(JSON.stringify({ n: sent, s: Number(process.hrtime.bigint() - t0) / 1e9 })); });
s.write('POST http://127.0.0.1:' + port + '/up HTTP/1.1\\r\\nHost: 127.0.0.1:' + port + '\\r\\nContent-Length: ' + total + '\\r\\n\\r\\n');
const pump = () => { while (sent < total) { sent += CHUNK.length; if (!s.write(CHUNK)) return void s.once('drain', pump); } };
pump();
`;

/** The upload's server: reads the head, counts the body, answers "ok" and closes. */
const SINK_JS = `
const net = require('net');
const srv = net.createServer((c) => {
  let head = '', need = -1, got = 0;
  c.on('error', () => c.destroy());
  c.on('data', (d) => {
    if (need < 0) { head += d.toString('latin1'); const i = head.indexOf('\\r\\n\\r\\n'); if (i < 0) return; need = Number(/content-length: *(\\d+)/i.exec(head.slice(0, i))[1]); got = head.length - (i + 4); }
    else got += d.length;
    if (got >= need) c.end('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok');
  });
});
srv.listen(0, '127.0.0.1', () => process.stdout.write(String(srv.address().port) + '\\n'));
`;

/** The latency rounds' upstream: answers every request with "ok". */
const SMALL_JS = `
const srv = require('http').createServer((_q, r) => r.end('ok'));
srv.listen(0, '127.0.0.1', () => process.stdout.write(String(srv.address().port) + '\\n'));
`;

/**
 * The latency floor of a proxy hop written in Node: reads the CONNECT head, dials, answers 200 and
 * pipes; decides and logs nothing. It runs in this process, as the agent's proxy does.
 */
function nodeFloorProxy(): net.Server {
  return net.createServer({ noDelay: true }, (c) => {
    c.on('error', () => c.destroy());
    c.once('data', (d: Buffer) => {
      const head = d.toString('latin1');
      const m = /^CONNECT 127\.0\.0\.1:(\d+) /.exec(head);
      const end = head.indexOf('\r\n\r\n');
      if (!m || end < 0) return void c.destroy();
      // Loopback only, whatever the head says.
      const u = net.connect({ host: '127.0.0.1', port: Number(m[1]), noDelay: true }, () => {
        c.write('HTTP/1.1 200 Connection established\r\n\r\n');
        if (d.length > end + 4) u.write(d.subarray(end + 4));
        c.pipe(u);
        u.pipe(c);
      });
      u.on('error', () => c.destroy());
      u.on('close', () => c.destroy());
      c.on('close', () => u.destroy());
    });
  });
}

/** bench/native/connect-floor.c compiled with cc into .bench-tmp; null if there is no compiler. */
function floorBinary(root: string): string | null {
  const out = path.join(root, '.bench-tmp', 'connect-floor');
  mkdirSync(path.dirname(out), { recursive: true });
  const cc = spawnSync('cc', ['-O2', '-o', out, path.join(root, 'bench', 'native', 'connect-floor.c'), '-lpthread'], { stdio: 'inherit' });
  return cc.status === 0 ? out : null;
}

/** The same floor in C (bench/native/connect-floor.c); null if no compiler. */
async function cFloorProxy(root: string): Promise<{ port: number; kill: () => void } | null> {
  const out = floorBinary(root);
  if (!out) return null;
  const child = spawn(out, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((r) => child.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
  return { port, kill: () => child.kill('SIGKILL') };
}

/**
 * A prototype native front (bench/native/connect-floor.c with a decider socket): C accepts, reads the CONNECT head, asks
 * this process for the verdict over a Unix socket — Paddock's own vetConnection with the agent's
 * policy — dials the vetted address and copies. What a native front would add per connection
 * (issue 17 goal 3); null if no C compiler.
 */
async function cAskProxy(root: string, dir: string, policy: ReturnType<typeof compilePolicy>, onDecision: () => void): Promise<{ port: number; kill: () => void } | null> {
  const out = floorBinary(root);
  if (!out) return null;
  const sock = path.join(dir, 'decider.sock');
  const decider = net.createServer((c) => {
    let buf = '';
    c.setEncoding('latin1');
    c.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const [host, port] = buf.slice(0, i).split(' ');
        buf = buf.slice(i + 1);
        void vetConnection({ policy, resolve: benchResolve, ownAddresses: new Set(), controlPorts: [], ask: async () => false }, { host: host!, port: Number(port) })
          .then((v) => {
            onDecision();
            c.write(v.effect === 'allow' && v.family === 4 ? `A ${v.address}\n` : 'D 403\n');
          });
      }
    });
  });
  await new Promise<void>((r) => decider.listen(sock, () => r()));
  const child = spawn(out, [sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((r) => child.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
  return { port, kill: () => { child.kill('SIGKILL'); decider.close(); } };
}

/** The egress module's resolver, for the prototype's decider (names; IP literals are not looked up). */
const benchResolve: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

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

/** BENCH_EGRESS_LATENCY_ONLY=1: the latency rounds only, printed and not written (for trials). */
const LATENCY_ONLY = process.env.BENCH_EGRESS_LATENCY_ONLY === '1';

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-egress-bench-'));
  let events = 0;
  const log = (): void => void events++;
  const queue = new ApprovalQueue({ log, addRule: () => {} });
  const egress = createEgress({ log, approvals: queue, ownAddresses: () => [] });
  const big = spawn(process.execPath, ['-e', SERVER_JS], { stdio: ['ignore', 'pipe', 'inherit'] });
  const bigPort = await new Promise<number>((r) => big.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
  const sink = spawn(process.execPath, ['-e', SINK_JS], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sinkPort = await new Promise<number>((r) => sink.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
  // The upstream of the latency rounds is a process of its own, as a real one is: in this process
  // it would share the proxy's event loop and heap, and its own work and GC would count as the proxy's.
  const small = spawn(process.execPath, ['-e', SMALL_JS], { stdio: ['ignore', 'pipe', 'inherit'] });
  const smallPort = await new Promise<number>((r) => small.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
  const policy = compilePolicy(parseRules(`allow net 127.0.0.1:${bigPort}\nallow net 127.0.0.1:${smallPort}\nallow net 127.0.0.1:${sinkPort}`).rules);
  const { socketPath } = await egress.open({ agent: 'bench', socketDir: path.join(dir, 'sock'), mode: 'proxy', policy });
  const relay = relayBinary();
  if (!relay) throw new Error('the native relay is not built: run `node scripts/build-native.mjs`');
  // The bridge exactly as the sandbox's launcher starts it (helper-scripts.ts).
  const socatPort = await freePort();
  const socat = spawn('socat', ['-b', '262144', `TCP-LISTEN:${socatPort},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${socketPath}`], { stdio: 'ignore' });
  // The ceiling: accept, dial, hand both sockets to the relay at once; no parsing, no decision.
  const bare = net.createServer((c) => {
    const u = net.connect(bigPort, '127.0.0.1', () => {
      startRelay(relay, c, u, Buffer.alloc(0), Buffer.alloc(0), { checkUp: false, checkDown: false }, {
        onSpawn: () => { c.destroy(); u.destroy(); }, onError: () => c.destroy(), onExit: () => {},
      });
    });
  });
  const barePort = await listen(bare);
  // The same do-nothing relay in front of the upload sink (paused: the client's first bytes are the relay's to move).
  const bareUp = net.createServer({ pauseOnConnect: true }, (c) => {
    const u = net.connect(sinkPort, '127.0.0.1', () => {
      startRelay(relay, c, u, Buffer.alloc(0), Buffer.alloc(0), { checkUp: false, checkDown: false }, {
        onSpawn: () => { c.destroy(); u.destroy(); }, onError: () => c.destroy(), onExit: () => {},
      });
    });
  });
  const bareUpPort = await listen(bareUp);
  const launchOnly = mkdtempSync(path.join(os.tmpdir(), 'paddock-launch-only-'));
  copyFileSync(nativeBinary('paddock-launch')!, path.join(launchOnly, 'paddock-launch'));
  const upload = async (target: string): Promise<number> => {
    const child = spawn(process.execPath, ['-e', UPLOAD_JS, target, String(sinkPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => child.on('close', r));
    const { n, s } = JSON.parse(out) as { n: number; s: number };
    return n / s / 2 ** 20;
  };
  const sandboxUpload = async (): Promise<number> => {
    const { n, s } = JSON.parse(await inSandbox(egress, 'bench', UPLOAD_JS, ['3128', String(sinkPort)])) as { n: number; s: number };
    return n / s / 2 ** 20;
  };
  // The agent's real path: a client process inside a sandbox of agent "bench".
  const sandboxThroughput = async (pre: string): Promise<number> => {
    const { n, s } = JSON.parse(await inSandbox(egress, 'bench', CLIENT_JS, ['3128', pre])) as { n: number; s: number };
    if (n < GiB) throw new Error(`short transfer: ${n} bytes`);
    return n / s / 2 ** 20;
  };
  await new Promise((r) => setTimeout(r, 300));
  const connectBig = `CONNECT 127.0.0.1:${bigPort} HTTP/1.1\r\n\r\n`;
  try {
    const direct: number[] = [];
    const viaBare: number[] = [];
    const viaAgent: number[] = [];
    const viaBridge: number[] = [];
    const viaSock: number[] = [];
    const nodeOnly: number[] = [];
    for (let i = 0; i < (LATENCY_ONLY ? 0 : RUNS); i++) {
      direct.push(await throughput(String(bigPort), null));
      viaBare.push(await throughput(String(barePort), null));
      viaAgent.push(await sandboxThroughput(connectBig));
      viaBridge.push(await throughput(String(socatPort), connectBig));
      viaSock.push(await throughput(socketPath, connectBig));
      process.env.PADDOCK_NATIVE = 'off';
      resetRelayLookup();
      nodeOnly.push(await throughput(socketPath, connectBig));
      delete process.env.PADDOCK_NATIVE;
      resetRelayLookup();
    }
    // Plain-HTTP uploads (absolute URI, Content-Length body): 3 runs per path, interleaved.
    const upDirect: number[] = [];
    const upBare: number[] = [];
    const upAgent: number[] = [];
    const upNode: number[] = [];
    for (let i = 0; i < (LATENCY_ONLY ? 0 : 3); i++) {
      upDirect.push(await upload(String(sinkPort)));
      upBare.push(await upload(String(bareUpPort)));
      upAgent.push(await sandboxUpload());
      // The native launcher without the relay: the body stays in Node.
      process.env.PADDOCK_NATIVE = launchOnly;
      resetRelayLookup();
      upNode.push(await sandboxUpload());
      delete process.env.PADDOCK_NATIVE;
      resetRelayLookup();
    }
    const med = (a: number[]): number => percentile(a, 50);
    const N = 2000;
    const ROUND = 200;
    const connectSmall = `CONNECT 127.0.0.1:${smallPort} HTTP/1.1\r\n\r\n`;
    // Each path's client is a process of its own (the agent's is inside the sandbox), in rounds of 100, interleaved.
    const lDirect: number[] = [];
    const lProxy: number[] = [];
    const lAgent: number[] = [];
    const lBridge: number[] = [];
    const lNodeFloor: number[] = [];
    const lCFloor: number[] = [];
    const floorServer = nodeFloorProxy();
    const nodeFloorPort = await listen(floorServer);
    const cFloor = await cFloorProxy(path.resolve(import.meta.dirname, '..'));
    const lCAsk: number[] = [];
    const cAsk = await cAskProxy(path.resolve(import.meta.dirname, '..'), dir, policy, log);
    const cpuProxy = { user: 0, system: 0 };
    const cpuFloor = { user: 0, system: 0 };
    for (let round = 0; round < N / ROUND; round++) {
      lDirect.push(...(await latencies(String(smallPort), '', smallPort, ROUND)));
      lAgent.push(...(JSON.parse(await inSandbox(egress, 'bench', LATENCY_JS, ['3128', connectSmall, String(smallPort), String(ROUND)])) as number[]));
      // This process's CPU time over a round is the proxy's (or the floor's): the client and the upstream are processes of their own.
      let c0 = process.cpuUsage();
      lProxy.push(...(await latencies(socketPath, connectSmall, smallPort, ROUND)));
      let c1 = process.cpuUsage(c0);
      cpuProxy.user += c1.user;
      cpuProxy.system += c1.system;
      lBridge.push(...(await latencies(String(socatPort), connectSmall, smallPort, ROUND)));
      c0 = process.cpuUsage();
      lNodeFloor.push(...(await latencies(String(nodeFloorPort), connectSmall, smallPort, ROUND)));
      c1 = process.cpuUsage(c0);
      cpuFloor.user += c1.user;
      cpuFloor.system += c1.system;
      if (cFloor) lCFloor.push(...(await latencies(String(cFloor.port), connectSmall, smallPort, ROUND)));
      if (cAsk) lCAsk.push(...(await latencies(String(cAsk.port), connectSmall, smallPort, ROUND)));
    }
    floorServer.close();
    cFloor?.kill();
    cAsk?.kill();
    void exchange;
    const d50 = percentile(lDirect, 50);
    const d99 = percentile(lDirect, 99);
    const p50 = percentile(lProxy, 50);
    const p99 = percentile(lProxy, 99);
    const b50 = percentile(lBridge, 50);
    const b99 = percentile(lBridge, 99);
    const a50 = percentile(lAgent, 50);
    const a99 = percentile(lAgent, 99);
    const f = (x: number): string => x.toFixed(0);
    const ms = (x: number): string => x.toFixed(3);
    // A 1 ms tail goal can only be judged if the baseline's own tail holds still: its p99 in the
    // even and the odd rounds must agree within half the goal, else the load decided the figure
    // (an agent path "faster" than direct at p99 was seen at load 4) and the goal is not met.
    const half = (odd: number): number[] => lDirect.filter((_, i) => Math.floor(i / ROUND) % 2 === odd);
    const drift = Math.abs(percentile(half(0), 99) - percentile(half(1), 99));
    const p99Verdict = drift > 0.5 ? `❌ not judged: the baseline's p99 moved ${ms(drift)} ms between even and odd rounds (a busy machine)` : a99 - d99 <= 1 ? '✅' : '❌';
    const perConn = N + 50 * (N / ROUND);
    const cpu = (c: { user: number; system: number }): string => `${((c.user + c.system) / perConn).toFixed(0)} µs (${(c.system / perConn).toFixed(0)} in the kernel)`;
    const floorRow = (name: string, a: number[]): string => {
      const [x50, x99] = [percentile(a, 50), percentile(a, 99)];
      return `| ${name} | ${ms(x50)} ms | ${ms(x99)} ms | ${ms(x50 - d50)} ms | ${ms(x99 - d99)} ms | |`;
    };
    const row = (name: string, a: number[], goal: boolean): string => {
      const r = med(a) / med(direct);
      const vsBare = med(a) / med(viaBare);
      return `| ${name} | ${f(med(a))} MiB/s | ${f(Math.min(...a))}–${f(Math.max(...a))} | ${r.toFixed(2)}× | ${vsBare.toFixed(2)}× | ${goal ? `≥ 0.9× the do-nothing relay ${vsBare >= 0.9 ? '✅' : '❌'}` : ''} |`;
    };
    const md = [
      '## Egress proxy',
      '',
      `Loopback only. 1 GiB download from a local TCP server to a client that sends a request first, each in its own process; ${RUNS} runs per path, interleaved (median, and the range); and connect + one small HTTP exchange (2000 samples each, after 50 warm-up per round, from a server process of its own). \`npx tsx bench/egress.bench.ts\`.`,
      '',
      'The agent\'s client runs inside a real sandbox (bwrap: own user, pid and network namespaces) and connects to 127.0.0.1:3128 there: the proxy\'s own listener, made in the sandbox\'s network namespace by the native launcher before the client starts and served by the proxy in this process (no process inside, no fork per connection). After 1 MiB the proxy hands the tunnel to `paddock-relay`, which splices the two sockets. The do-nothing relay accepts, dials and splices with the same binary and decides nothing: no proxy with a hop of its own can beat it on this machine. The socat bridge row is the path this replaced (kept as the fallback without the native launcher).',
      '',
      '| path | median | range | vs direct | vs do-nothing relay | goal |',
      '| --- | --- | --- | --- | --- | --- |',
      `| direct TCP (baseline) | ${f(med(direct))} MiB/s | ${f(Math.min(...direct))}–${f(Math.max(...direct))} | 1.00× | | |`,
      row('reference: do-nothing relay (accept, dial, splice)', viaBare, false),
      row('**agent path**: sandbox → proxy\'s listener in its namespace → relay', viaAgent, true),
      row('fallback: socat bridge → proxy socket → relay', viaBridge, false),
      row('proxy Unix socket → relay (no bridge)', viaSock, false),
      row('proxy Unix socket, relay off (Node pipes the bytes)', nodeOnly, false),
      '',
      '',
      'Plain-HTTP uploads: `POST http://…` (absolute URI) with a 1 GiB `Content-Length` body, answered once the server has it all; 3 runs per path, interleaved. Once the proxy has decided on the head, the body goes client → upstream through `paddock-relay --up-only` (then the connection closes).',
      '',
      '| upload path | median | range | vs direct | vs do-nothing relay | goal |',
      '| --- | --- | --- | --- | --- | --- |',
      `| direct TCP (baseline) | ${f(med(upDirect))} MiB/s | ${f(Math.min(...upDirect))}–${f(Math.max(...upDirect))} | 1.00× | | |`,
      `| reference: do-nothing relay | ${f(med(upBare))} MiB/s | ${f(Math.min(...upBare))}–${f(Math.max(...upBare))} | ${(med(upBare) / med(upDirect)).toFixed(2)}× | 1.00× | |`,
      `| **agent path**: sandbox → proxy's listener → body in the relay | ${f(med(upAgent))} MiB/s | ${f(Math.min(...upAgent))}–${f(Math.max(...upAgent))} | ${(med(upAgent) / med(upDirect)).toFixed(2)}× | ${(med(upAgent) / med(upBare)).toFixed(2)}× | ≥ 0.9× the do-nothing relay ${med(upAgent) / med(upBare) >= 0.9 ? '✅' : '❌'} |`,
      `| agent path, relay off (the body through Node, as before) | ${f(med(upNode))} MiB/s | ${f(Math.min(...upNode))}–${f(Math.max(...upNode))} | ${(med(upNode) / med(upDirect)).toFixed(2)}× | ${(med(upNode) / med(upBare)).toFixed(2)}× | |`,
      '',
      `The agent path reaches **${((100 * med(viaAgent)) / med(viaBare)).toFixed(0)} %** of the do-nothing relay (the socat bridge: ${((100 * med(viaBridge)) / med(viaBare)).toFixed(0)} %). A loopback relay carries every byte over TCP twice; with two cores shared by the server, the client and the relay, that costs about half of a direct transfer whatever the relay does (in trials outside this bench, C relays copying with 64 KiB–1 MiB buffers or splicing through 64 KiB–1 MiB pipes all landed between 0.40× and 0.55×), so no user-space proxy with a hop of its own gets near direct on this machine (only an in-kernel redirect, e.g. BPF sockmap with CAP_BPF, could avoid the second pass): the goal is set against the do-nothing relay instead. Bulk downloads through the socat bridge reach about the same rate once the relay has the tunnel (socat's own copy runs on the other core); what the bridge cost was a process per connection and the latency below.`,
      '',
      '| per connection | p50 | p99 | added p50 | added p99 | goal |',
      '| --- | --- | --- | --- | --- | --- |',
      `| direct (baseline) | ${ms(d50)} ms | ${ms(d99)} ms | | | |`,
      `| **agent path**: sandbox → proxy's listener in its namespace (CONNECT + decision + dial) | ${ms(a50)} ms | ${ms(a99)} ms | ${ms(a50 - d50)} ms | ${ms(a99 - d99)} ms | added p99 ≤ 1 ms ${p99Verdict} |`,
      `| proxy Unix socket, from the host | ${ms(p50)} ms | ${ms(p99)} ms | ${ms(p50 - d50)} ms | ${ms(p99 - d99)} ms | |`,
      `| fallback: socat bridge → proxy socket | ${ms(b50)} ms | ${ms(b99)} ms | ${ms(b50 - d50)} ms | ${ms(b99 - d99)} ms | |`,
      floorRow('reference: do-nothing CONNECT proxy in Node (this process; dials, answers, pipes; decides nothing)', lNodeFloor),
      cFloor ? floorRow('reference: do-nothing CONNECT proxy in C (a thread per connection, poll; decides nothing)', lCFloor) : '| reference: do-nothing CONNECT proxy in C | not measured: no C compiler (`cc`) | | | | |',
      cAsk ? floorRow('prototype, not used by Paddock: the C proxy asking this process for each verdict (Paddock\'s decision pipeline, over a Unix socket)', lCAsk) : '| prototype: C front asking for verdicts | not measured: no C compiler (`cc`) | | | | |',
      '',
      `The two do-nothing proxies are the floor of a hop of its own here: a client on the host, connecting over TCP. What any proxy adds is mostly kernel work it cannot avoid (a second TCP connection: connect, accept, two more writes and reads, each a wake-up of another process on two shared cores); what Paddock's proxy adds over the Node floor is its decision, its checks of the first bytes and its bookkeeping. The prototype row is the design goal 3 points to (issue 17): a native front that accepts, reads the CONNECT head, dials and copies, and asks Paddock's own decision pipeline in Node for each verdict over a Unix socket, so Node's share of a connection is one small message each way instead of two sockets and their streams; it decides, but it has none of the rest (events, asks, SOCKS and plain HTTP, TLS interception for header secrets, the off switch cutting its connections). CPU time of this process per connection (the Unix-socket rounds, warm-up included): Paddock's proxy **${cpu(cpuProxy)}**, the Node floor **${cpu(cpuFloor)}**.`,
      '',
      `Each path's client is a process of its own (the agent's inside the sandbox), ${N} exchanges in interleaved rounds of ${ROUND}, after 50 warm-up each; the baseline connects directly from the host. Load average after the run: ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')}.`,
    ].join('\n');
    console.log(md);
    if (!LATENCY_ONLY) writeSection('egress', md);
  } finally {
    socat.kill('SIGTERM');
    bare.close();
    bareUp.close();
    sink.kill('SIGTERM');
    await egress.closeAll();
    queue.close();
    big.kill('SIGTERM');
    small.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    rmSync(launchOnly, { recursive: true, force: true });
  }
  void events;
}

await main();
