/**
 * Shared harness of the black-box attack suite: every attack is a real agent started with the
 * real `bin/paddock run` and a profile, exactly as a user would; the host side only runs loopback
 * servers that count what reaches them.
 */
import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { stringify } from 'yaml';
import type { RunInfo } from '../../src/shared/agent.schema.js';
import { startConsole, type Console } from '../e2e/console-helpers.js';
import { BIN, paddock, paddockAsync, tempDir } from '../helpers/cli.js';

/** One temp root per test file; `setup` makes a fresh data dir + profile per agent. */
export function suite(prefix: string): {
  dir: string;
  cleanup: () => void;
  setup: (profile: (name: string) => Record<string, unknown>, dataDir?: string) => { dataDir: string; file: string; name: string };
} {
  const tmp = tempDir(`paddock-sec-${prefix}-`);
  let n = 0;
  return {
    dir: tmp.dir,
    cleanup: tmp.cleanup,
    setup(profile, dataDir) {
      const name = `${prefix}-${++n}`;
      const dd = dataDir ?? join(tmp.dir, `data-${n}`);
      const file = join(tmp.dir, `${name}.yaml`);
      writeFileSync(file, stringify(profile(name)));
      return { dataDir: dd, file, name };
    },
  };
}

/**
 * A {@link suite} whose `<dir>/data` is served by a console (`paddock serve`) for the file's tests:
 * `c` is filled in before them; after them the console is stopped and the temp root removed.
 */
export function consoleSuite(prefix: string): { s: ReturnType<typeof suite>; c: Console } {
  const s = suite(prefix);
  const c = {} as Console;
  beforeAll(async () => {
    Object.assign(c, await startConsole(join(s.dir, 'data')));
  });
  afterAll(async () => {
    await c.stop();
    s.cleanup();
  });
  return { s, c };
}

/** The agent's workspace and home paths as Paddock lays them out by default. */
export const agentDirs = (dataDir: string, name: string): { home: string; workspace: string } => ({
  home: join(dataDir, 'agents', name, 'home'),
  workspace: join(dataDir, 'agents', name, 'workspace'),
});

/** Events of an agent (optionally of a kind prefix), oldest first. */
export function events(dataDir: string, agent: string, kind?: string): Record<string, unknown>[] {
  const args = ['--data-dir', dataDir, 'events', '--agent', agent, '--json', '--limit', '100000'];
  if (kind) args.push('--kind', kind);
  const r = paddock(args);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Running agents of the host of a data dir ([] when no host). */
export function ps(dataDir: string): RunInfo[] {
  const r = paddock(['--data-dir', dataDir, 'ps', '--json']);
  if (r.code !== 0) return [];
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunInfo);
}

/** Runs the CLI without blocking the event loop; resolves with its stdout ('' on failure). */
export function cli(args: string[]): Promise<string> {
  return new Promise((resolve) => execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (err, out) => resolve(err ? '' : String(out))));
}

/** {@link ps} without blocking the event loop. */
export async function psAsync(dataDir: string): Promise<RunInfo[]> {
  const out = await cli(['--data-dir', dataDir, 'ps', '--json']);
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunInfo);
}

/** Result of a run driven to its end. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** How many times the agent was found auto-paused (by a tripwire) and resumed by the test. */
  pauses: number;
}

/**
 * Runs an agent in the foreground (or as a guest of a running host) and resumes it whenever a
 * tripwire auto-pauses it, so one run can try many attacks in a row. Kills it after `ms`.
 */
export async function runResuming(dataDir: string, file: string, name: string, opts: { ms?: number; env?: NodeJS.ProcessEnv; args?: string[] } = {}): Promise<RunResult> {
  const run = paddockAsync(['--data-dir', dataDir, 'run', file, ...(opts.args ?? [])], { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
  run.child.stdin?.end();
  let pauses = 0;
  let done = false;
  const end = Date.now() + (opts.ms ?? 25_000);
  void run.exit.then(() => (done = true));
  while (!done) {
    await new Promise((r) => setTimeout(r, 150));
    if (done) break;
    if (Date.now() > end) {
      run.child.kill('SIGKILL');
      break;
    }
    // Asynchronous CLI calls: the loopback test servers live in this process and must keep answering.
    const mine = (await psAsync(dataDir)).find((r) => r.agent === name);
    if (mine?.state === 'paused') {
      pauses++;
      await cli(['--data-dir', dataDir, 'resume', name]);
    }
  }
  const code = await run.exit;
  return { code, stdout: run.out(), stderr: run.err(), pauses };
}

/** A loopback TCP server that counts connections and answers any request with one HTTP response. */
export interface CountingServer {
  port: number;
  host: string;
  /** TCP connections accepted so far. */
  hits: () => number;
  close: () => Promise<void>;
}

/** Starts a counting server on `host` (127.0.0.1 or ::1) that answers `hello from TAG`. */
export function countingServer(tag: string, host = '127.0.0.1'): Promise<CountingServer> {
  let hits = 0;
  const socks = new Set<Socket>();
  const server: Server = createServer((s) => {
    hits++;
    socks.add(s);
    s.on('close', () => socks.delete(s));
    s.on('error', () => undefined);
    s.once('data', () => s.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello from ${tag}\n`));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        host,
        hits: () => hits,
        close: () =>
          new Promise((r) => {
            for (const s of socks) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

/** A loopback UDP server that counts datagrams. */
export function countingUdp(host = '127.0.0.1'): Promise<{ port: number; hits: () => number; close: () => void }> {
  let hits = 0;
  const s: UdpSocket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  s.on('message', () => hits++);
  return new Promise((resolve) => s.bind(0, host, () => resolve({ port: s.address().port, hits: () => hits, close: () => s.close() })));
}

/** A shell snippet: curl through the proxy (NO_PROXY covers the sandbox's own loopback, not the host's). */
export const curl = (args: string): string => `env -u NO_PROXY -u no_proxy curl -sS --max-time 10 ${args}`;

/** One raw attempt at the agent's proxy (127.0.0.1:3128 inside): an HTTP request or a SOCKS5 CONNECT by name. */
export type ProxyAttempt = { tag: string; http: string; inner?: string } | { tag: string; socksHost: string; port: number };

/**
 * A python3 program (run inside the sandbox) that fires all attempts at the proxy at once (so a
 * tripwire's auto-pause freezes the agent at most a few times) and prints `TAG: first line of the
 * answer` for each; a SOCKS5 attempt prints its reply code (`socks 0` is success).
 */
export function proxyProbe(attempts: ProxyAttempt[]): string {
  const data = JSON.stringify(attempts);
  return [
    'import json, socket, threading, struct',
    `A = json.loads(${JSON.stringify(data)})`,
    'out = {}',
    'def go(a):',
    '    try:',
    '        c = socket.create_connection(("127.0.0.1", 3128), timeout=15)',
    '        if "http" in a:',
    '            c.sendall(a["http"].encode("latin-1"))',
    '            buf = b""',
    '            while b"\\r\\n\\r\\n" not in buf:',
    '                d = c.recv(4096)',
    '                if not d: break',
    '                buf += d',
    '            line = buf.split(b"\\r\\n")[0].decode("latin-1")',
    '            if line.startswith("HTTP/1.1 200 Connection") or line.startswith("HTTP/1.0 200 Connection") or (line.split(" ")[1:2] == ["200"] and a["http"].startswith("CONNECT")):',
    '                c.sendall(a.get("inner", "GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n").encode("latin-1"))',
    '                line += " | " + c.recv(200).decode("latin-1").replace("\\r\\n", " ")',
    '            elif len(buf.split(b"\\r\\n\\r\\n", 1)) > 1:',
    '                line += " | " + buf.split(b"\\r\\n\\r\\n", 1)[1][:80].decode("latin-1").replace("\\n", " ")',
    '            out[a["tag"]] = line',
    '        else:',
    '            h = a["socksHost"].encode()',
    '            c.sendall(b"\\x05\\x01\\x00"); c.recv(2)',
    '            c.sendall(b"\\x05\\x01\\x00\\x03" + bytes([len(h)]) + h + struct.pack(">H", a["port"]))',
    '            r = c.recv(10)',
    '            line = "socks %d" % (r[1] if len(r) > 1 else -1)',
    '            if len(r) > 1 and r[1] == 0:',
    '                c.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")',
    '                line += " | " + c.recv(200).decode("latin-1").replace("\\r\\n", " ")',
    '            out[a["tag"]] = line',
    '    except Exception as e:',
    '        out[a["tag"]] = "error " + repr(e)',
    'ts = [threading.Thread(target=go, args=(a,)) for a in A]',
    '[t.start() for t in ts]',
    '[t.join() for t in ts]',
    'for a in A: print("%s: %s" % (a["tag"], out.get(a["tag"])))',
    'print("probe-done")',
  ].join('\n');
}

/** Parses `TAG: line` output of {@link proxyProbe}. */
export function probeResults(stdout: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of stdout.split('\n')) {
    const i = l.indexOf(': ');
    if (i > 0) m.set(l.slice(0, i), l.slice(i + 2));
  }
  return m;
}

/** The first 6-character piece of `value` found in `text` (a secret leaked in part), or null. */
export function leaks(text: string, value: string): string | null {
  for (let i = 0; i + 6 <= value.length; i++) if (text.includes(value.slice(i, i + 6))) return value.slice(i, i + 6);
  return null;
}
