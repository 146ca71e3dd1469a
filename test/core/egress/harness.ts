/**
 * Test harness for the egress proxy: a temp dir, loopback-only test servers, an injected
 * resolver (test names → loopback addresses), a recording dialer, the real ApprovalQueue and
 * an in-memory event log. Nothing here ever dials a non-loopback address.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { NewEvent } from '../../../src/shared/events.schema.js';
import { compilePolicy, parseRules } from '../../../src/core/policy/index.js';
import { ApprovalQueue } from '../../../src/core/egress/approvals.js';
import { createEgress, type Egress } from '../../../src/core/egress/egress.js';
import type { EgressDeps, ResolvedAddress } from '../../../src/core/egress/types.js';

/** A loopback HTTP server that counts the connections it accepted. */
export interface TestServer {
  port: number;
  host: string;
  connections: number;
  server: http.Server;
  close(): Promise<void>;
}

/** Starts a loopback HTTP server; `handler` defaults to "hello from HOST". */
export async function startServer(host = '127.0.0.1', handler?: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(
    handler ??
      ((req, res) => {
        const body = `hello ${req.method} ${req.url} host=${req.headers.host}\n`;
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }),
  );
  const t: TestServer = {
    port: 0, host, connections: 0, server,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  server.on('connection', () => t.connections++);
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  t.port = (server.address() as net.AddressInfo).port;
  return t;
}

/** Everything a test needs around one Egress. */
export interface Harness {
  dir: string;
  egress: Egress;
  queue: ApprovalQueue;
  events: NewEvent[];
  dials: { address: string; port: number }[];
  resolves: string[];
  paused: { agent: string; reason: string }[];
  rules: Map<string, string>;
  /** Names the injected resolver knows (everything else: ENOTFOUND). */
  names: Map<string, ResolvedAddress[]>;
  open(agent: string, rules: string, opts?: { mode?: 'proxy' | 'gate'; timeoutS?: number }): Promise<string>;
  ofKind(kind: string, agent?: string): NewEvent[];
  cleanup(): Promise<void>;
}

/** Creates a harness. `deps` overrides parts of the egress deps. */
export function harness(deps: Partial<EgressDeps> = {}): Harness {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-egress-'));
  const events: NewEvent[] = [];
  const dials: Harness['dials'] = [];
  const resolves: string[] = [];
  const paused: Harness['paused'] = [];
  const rules = new Map<string, string>();
  const names = new Map<string, ResolvedAddress[]>();
  let seq = 0;
  const log = (e: NewEvent): { id: number } => {
    events.push(e);
    return { id: ++seq };
  };
  const queue = new ApprovalQueue({
    log,
    nextEventId: () => seq + 1,
    addRule: (agent, rule) => {
      const text = `${rules.get(agent) ?? ''}\n${rule}`;
      rules.set(agent, text);
      log({ kind: 'rule.change', agent, rule, change: 'add' });
      egress.setPolicy(agent, compilePolicy(parseRules(text).rules));
    },
    // As the engine wires it: the queue's ask-flood alert goes through the tripwires.
    alert: (agent, run, message, extra) => void egress.tripwires.raise(agent, run, 'ask-flood', message, extra),
  });
  const egress: Egress = createEgress({
    log,
    approvals: queue,
    pause: (agent, reason) => void paused.push({ agent, reason }),
    resolve: async (host) => {
      resolves.push(host);
      const a = names.get(host);
      if (!a) throw Object.assign(new Error(`no such test name ${host}`), { code: 'ENOTFOUND' });
      return a;
    },
    dial: (t) => {
      dials.push({ address: t.address, port: t.port });
      // Threat (test safety): never send traffic off the loopback.
      if (!/^(127\.|::1$)/.test(t.address)) throw new Error(`test dialer refused non-loopback ${t.address}`);
      return net.connect({ host: t.address, port: t.port });
    },
    ownAddresses: () => [],
    ...deps,
  });
  return {
    dir, egress, queue, events, dials, resolves, paused, rules, names,
    async open(agent, text, opts = {}) {
      rules.set(agent, text);
      const parsed = parseRules(text);
      if (parsed.diagnostics.length) throw new Error(`bad test rules: ${JSON.stringify(parsed.diagnostics)}`);
      const socketDir = path.join(dir, 'run', 'egress', agent);
      const r = await egress.open({ agent, socketDir, policy: compilePolicy(parsed.rules), mode: opts.mode ?? 'proxy', approvalTimeoutS: opts.timeoutS });
      return r.socketPath;
    },
    ofKind: (kind, agent) => events.filter((e) => e.kind === kind && (agent === undefined || e.agent === agent)),
    async cleanup() {
      queue.close();
      await egress.closeAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sends raw bytes on the Unix socket and collects everything until the peer closes (or `until` matches). */
export function rawExchange(socketPath: string, data: string | Buffer, until?: RegExp, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let out = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`timeout; got: ${JSON.stringify(out.slice(0, 300))}`));
    }, timeoutMs);
    s.on('connect', () => s.write(data));
    s.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      if (until && until.test(out)) {
        clearTimeout(timer);
        s.destroy();
        resolve(out);
      }
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** A loopback TCP port forwarding to a Unix socket (what the in-sandbox socat bridge does), for curl -x. */
export async function tcpBridge(socketPath: string): Promise<{ port: number; close(): Promise<void> }> {
  const socks = new Set<net.Socket>();
  const server = net.createServer((c) => {
    const u = net.connect(socketPath);
    socks.add(c).add(u);
    c.pipe(u).pipe(c);
    const done = (): void => { c.destroy(); u.destroy(); socks.delete(c); socks.delete(u); };
    c.on('error', done); u.on('error', done); c.on('close', done); u.on('close', done);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((r) => { for (const s of socks) s.destroy(); server.close(() => r()); }),
  };
}

/** Waits until `cond()` is true (polling), or throws after `ms`. */
export async function waitFor(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const execFileP = promisify(execFile);

/** curl with a minimal environment; resolves with its exit status, stdout and stderr (never rejects). */
export async function curl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await execFileP('curl', ['-sS', '--max-time', '10', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}
