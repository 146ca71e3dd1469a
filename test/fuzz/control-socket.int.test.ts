// Fuzzing the control socket of a real host (`paddock serve`): random bytes, random JSON and
// near-valid requests, one line at a time on a live connection. Property: the host never crashes,
// answers every bad request with E_PROTOCOL / E_INVALID_INPUT (never E_INTERNAL), and keeps serving `runs:list`.
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientMessageSchema, METHODS } from '../../src/core/host/protocol.js';
import { parseInput } from '../../src/core/api/index.js';
import { paddock } from '../helpers/cli.js';
import { cpuTicks, procState } from '../helpers/procs.js';
import { fcOptions, fuzzRuns, fuzzTimeout } from './budget.js';
import { serveHost, type ServedHost } from './serve.js';

const RUNS = fuzzRuns();
const SENTINEL = 2 ** 40; // ids of our own `ps` probes; fuzzed ids stay below
let host: ServedHost;
const recent: string[] = [];
beforeAll(async () => {
  host = await serveHost();
}, 60_000);
afterAll(async () => host?.stop());

type Reply = { id: number; ok?: boolean; error?: { code: string; message: string } };

/** A line-based client: send raw text, then a `ps` probe; resolves with every reply before the probe's. */
class Client {
  private buf = '';
  private replies: Reply[] = [];
  private waiting: { id: number; resolve: (r: Reply[]) => void; reject: (e: Error) => void } | null = null;
  private constructor(private readonly sock: Socket) {
    sock.on('close', () => this.waiting?.reject(new Error('the host closed the connection')));
    sock.on('data', (d: Buffer) => {
      this.buf += d.toString('utf8');
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const r = JSON.parse(this.buf.slice(0, nl)) as Reply;
        this.buf = this.buf.slice(nl + 1);
        if (this.waiting && r.id === this.waiting.id) {
          const w = this.waiting;
          this.waiting = null;
          // `ps` must still be served after the fuzzed line.
          if (r.ok === true) w.resolve(this.replies.splice(0));
          else w.reject(new Error(`ps failed after a fuzzed line: ${JSON.stringify(r)}`));
        } else this.replies.push(r);
      }
    });
  }
  static open(path: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = connect(path, () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }
  private seq = 0;
  exchange(raw: string): Promise<Reply[]> {
    const id = SENTINEL + ++this.seq;
    return new Promise((resolve, reject) => {
      // A hang is a failure too, reported with the input that caused it.
      const timer = setTimeout(
        () => reject(new Error(`no answer to ps within 10 s after ${JSON.stringify(raw.slice(0, 300))}; host state ${procState(host.pid)} cpu ${cpuTicks(host.pid)}; host stderr: ${host.stderr().slice(-3000)}; recent: ${JSON.stringify(recent.slice(-20))}`)),
        10_000,
      );
      recent.push(raw.slice(0, 300));
      if (recent.length > 50) recent.shift();
      this.waiting = {
        id,
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.sock.write(`${raw}\n${JSON.stringify({ id, method: 'runs:list' })}\n`);
    });
  }
  close(): void {
    this.sock.destroy();
  }
}

/** Would a line be a valid, well-formed request to a known method (then any non-internal answer is fine)? */
function validRequest(line: string): boolean {
  try {
    const m = clientMessageSchema().safeParse(JSON.parse(line));
    if (!m.success || !('method' in m.data)) return false;
    if (!Object.hasOwn(METHODS, m.data.method)) return false;
    // The adapter's own rule: calls without parameters also take {} or null.
    return parseInput(METHODS[m.data.method as keyof typeof METHODS], m.data.params ?? {}).success;
  } catch {
    return false;
  }
}

const methodName = fc.oneof(fc.constantFrom(...Object.keys(METHODS).filter((m) => m !== 'run'), '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''), fc.string({ maxLength: 12 }));
const params = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.record({ name: fc.oneof(fc.constantFrom('a', 'Bad_Name', '../x', 'x'.repeat(41)), fc.string({ maxLength: 10 })), on: fc.anything({ maxDepth: 0 }) }, { requiredKeys: [] }),
  fc.record({ id: fc.string({ maxLength: 70 }), answer: fc.constantFrom('once', 'always', 'deny', 'deny-always', 'yes', 1) }, { requiredKeys: [] }),
  // `run` with broken shapes only (a valid one would start an agent).
  fc.record({ yaml: fc.anything({ maxDepth: 0 }), source: fc.anything({ maxDepth: 0 }), command: fc.anything({ maxDepth: 1 }), cwd: fc.integer() }, { requiredKeys: [] }),
);
const request = fc.record(
  { id: fc.oneof(fc.nat(1_000_000), fc.constantFrom(-1, 1.5, 2 ** 60, '1', null)), method: methodName, params, stdin: fc.string({ maxLength: 10 }), stdinEnd: fc.anything({ maxDepth: 0 }), signal: fc.constantFrom('SIGINT', 'SIGKILL', 9) },
  { requiredKeys: [] },
);
const line = fc.oneof(
  request.map((r) => JSON.stringify(r)),
  fc.anything({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'undefined'),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  // Inherited names as methods: `{"id":1,"method":"toString"}` used to crash the host (unhandled rejection).
  fc.constantFrom('{"id":1,"method":"toString"}', '{"id":2,"method":"constructor","params":{}}', '{"id":3,"method":"hasOwnProperty"}', '{"id":4,"method":"__proto__"}'),
  fc.constantFrom('{"id":1,"method":"runs:list","params":{"__proto__":{"x":1}}}', '{"id":1,"method":"run","params":{"__proto__":null}}', '{', '[]', 'null', '""', '\u0000', '{"id":1e999,"method":"runs:list"}'),
);

describe('fuzz: control socket of a real host', () => {
  it(`answers ${RUNS} garbage lines with E_PROTOCOL / E_INVALID_INPUT and never crashes`, async () => {
    const client = await Client.open(host.socket);
    try {
      await fc.assert(
        // Batches of 1–19 lines (about 10 on average) per round trip, so RUNS counts lines.
        fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 19 }), async (batch) => {
          const raw = batch.join('\n');
          const replies = await client.exchange(raw);
          const lines = raw.split('\n').filter((l) => l.trim() !== '');
          const anyValid = lines.some(validRequest);
          for (const r of replies) {
            expect(r.error?.code).not.toBe('E_INTERNAL');
            if (r.ok === true) expect(anyValid).toBe(true); // only a valid request may succeed
            else if (!anyValid) expect(['E_PROTOCOL', 'E_INVALID_INPUT']).toContain(r.error?.code);
          }
          // Every line that is not JSON gets exactly one E_PROTOCOL answer.
          const notJson = lines.filter((l) => {
            try {
              JSON.parse(l);
              return false;
            } catch {
              return true;
            }
          }).length;
          expect(replies.filter((r) => r.error?.code === 'E_PROTOCOL' && /not JSON/.test(r.error.message)).length).toBe(notJson);
        }),
        fcOptions(Math.ceil(RUNS / 10)),
      );
    } finally {
      client.close();
    }
    expect(host.alive()).toBe(true);
    const ps = paddock(['--data-dir', host.dataDir, 'ps']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(host.stderr()).not.toMatch(/\n\s+at /); // no stack trace printed
  }, fuzzTimeout(RUNS, 4));
});
