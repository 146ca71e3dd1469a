// Fuzzing the web console's API of a real `paddock serve`: random bodies (bytes, JSON, channel-shaped
// objects) to POST /api/<channel>, with the token. Property: 4xx for anything bad (never 500), and the
// server stays up and keeps answering GET /api/agents.
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../src/shared/api.js';
import { fcOptions, fuzzRuns, fuzzTimeout } from './budget.js';
import { serveHost, type ServedHost } from './serve.js';

const RUNS = fuzzRuns();
let host: ServedHost;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
beforeAll(async () => {
  host = await serveHost();
}, 60_000);
afterAll(async () => {
  agent.destroy();
  await host?.stop();
});

/** One request to the console; resolves with the status and body. Loopback only. */
function call(method: string, path: string, body?: Buffer | string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, method, path, agent, headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Channels that change state are fuzzed only with bodies their schema refuses (a valid
// `runs:start`/`agents:save`/`vault:setSecret` would legitimately act); read-only ones with anything.
const CHANNELS = Object.keys(API);
const channel = fc.oneof(fc.constantFrom(...CHANNELS), fc.constantFrom('__proto__', 'constructor', 'toString', 'agents', 'agents:list/../x', '%2e%2e', ''), fc.string({ maxLength: 16 }));
const shaped = fc.record(
  {
    name: fc.oneof(fc.constantFrom('Bad_Name', '../etc', 'x'.repeat(41), ''), fc.string({ maxLength: 8 }), fc.integer()),
    yaml: fc.oneof(fc.integer(), fc.constantFrom('name: Bad_Name\n', ': [', 'name: a\nfoo: 1\n', ''), fc.string({ maxLength: 40 }).map((s) => `name: Bad_${s}`)),
    on: fc.anything({ maxDepth: 0 }),
    offline: fc.anything({ maxDepth: 0 }),
    id: fc.anything({ maxDepth: 1 }),
    answer: fc.constantFrom('yes', 'once', 7, null),
    agent: fc.oneof(fc.constantFrom('Bad_Name', '__proto__'), fc.integer()),
    value: fc.anything({ maxDepth: 1 }),
    limit: fc.oneof(fc.integer(), fc.double()),
    kind: fc.anything({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.anything({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
  shaped.map((o) => JSON.stringify(o)),
  fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}', '[]', 'null', '1e999', '"\\ud800"', '{"name":"a","name":"Bad_Name"}'),
);
const SAFE_TO_SUCCEED = new Set(['agents:list', 'runs:list', 'runs:killAll', 'activity:query', 'activity:verify', 'approvals:list', 'system:doctor', 'system:info', 'net:setAllOffline', 'agents:check', 'vault:list', 'vault:status', 'quarantine:list']);

describe('fuzz: console API of a real paddock serve', () => {
  it(`answers ${RUNS} random bodies with 4xx (or 200 for harmless valid calls), never 500`, async () => {
    await fc.assert(
      fc.asyncProperty(channel, body, fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'GET'), async (ch, b, method) => {
        const r = await call(method, `/api/${encodeURIComponent(ch).replace(/%3A/g, ':')}`, method === 'GET' ? undefined : b);
        expect(r.status).not.toBe(500);
        expect(r.status).toBeGreaterThanOrEqual(200);
        expect(r.status).toBeLessThan(500);
        if (r.status < 300) expect(SAFE_TO_SUCCEED.has(ch) || (ch === 'agents' && method === 'GET')).toBe(true);
        // Every /api/ answer is JSON (the envelope, or the agents array).
        expect(() => JSON.parse(r.body) as unknown).not.toThrow();
      }),
      fcOptions(RUNS),
    );
    expect(host.alive()).toBe(true);
    const list = await call('GET', '/api/agents');
    expect(list.status).toBe(200);
    expect(Array.isArray(JSON.parse(list.body))).toBe(true);
  }, fuzzTimeout(RUNS, 3));
});
