/**
 * Attack pass B (black box), names that resolve to loopback: the proxy's host-name decision and
 * its resolved-address check must agree on the address it actually dials. Uses /etc/hosts entries
 * (only 127.x addresses, removed afterwards; skipped when /etc/hosts is not writable):
 *   loop  → 127.0.0.1            (a name rule alone must not open loopback)
 *   multi → 127.0.0.1, 127.0.0.2 (only 127.0.0.2 is named by a rule)
 *   flip  → 127.0.0.2, then rebound to 127.0.0.1 between two requests of one run
 * Two servers share one port: `good` on 127.0.0.2 (named by a rule), `bad` on 127.0.0.1 (never).
 */
import { existsSync, readFileSync, writeFileSync, accessSync, constants } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/cli.js';
import { agentDirs, events, probeResults, proxyProbe, runResuming, suite, type ProxyAttempt } from './helpers.js';

const s = suite('atkdns');
const tag = `atkb${process.pid}`;
const MARK = `# paddock-attack-pass ${tag}`;
const LOOP = `${tag}-loop.test`;
const MULTI = `${tag}-multi.test`;
const FLIP = `${tag}-flip.test`;
let writable = true;
try {
  accessSync('/etc/hosts', constants.W_OK);
} catch {
  writable = false;
}

function setHosts(lines: string[]): void {
  const kept = readFileSync('/etc/hosts', 'utf8').split('\n').filter((l) => !l.endsWith(MARK) && l !== '');
  writeFileSync('/etc/hosts', [...kept, ...lines.map((l) => `${l} ${MARK}`)].join('\n') + '\n');
}

interface Counting {
  port: number;
  hits: () => number;
  close: () => void;
}
function serve(tagName: string, host: string, port: number): Promise<Counting> {
  let hits = 0;
  const srv: Server = createServer((c) => {
    hits++;
    c.on('error', () => undefined);
    c.once('data', () => c.end(`HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello from ${tagName}\n`));
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => resolve({ port: (srv.address() as { port: number }).port, hits: () => hits, close: () => srv.close() }));
  });
}

let good: Counting;
let bad: Counting;
beforeAll(async () => {
  good = await serve('good', '127.0.0.2', 0);
  bad = await serve('bad', '127.0.0.1', good.port);
  if (writable) setHosts([`127.0.0.1 ${LOOP}`, `127.0.0.1 ${MULTI}`, `127.0.0.2 ${MULTI}`, `127.0.0.2 ${FLIP}`]);
});
afterAll(() => {
  if (writable) setHosts([]);
  good.close();
  bad.close();
  s.cleanup();
});

const get = (h: string, p: number): string => `GET http://${h}:${p}/ HTTP/1.1\r\nHost: ${h}:${p}\r\n\r\n`;
const connect = (h: string, p: number): string => `CONNECT ${h}:${p} HTTP/1.1\r\nHost: ${h}:${p}\r\n\r\n`;

describe.skipIf(!writable)('names resolving to loopback', () => {
  it('a name rule (or *) never opens a loopback address; a multi-address name is dialled only on the named address; a rebound name is re-checked', async () => {
    const P = good.port;
    const loop: ProxyAttempt[] = [{ tag: `get ${LOOP}`, http: get(LOOP, P) }, { tag: `connect ${LOOP}`, http: connect(LOOP, P) }, { tag: `socks ${LOOP}`, socksHost: LOOP, port: P }];
    const multi: ProxyAttempt[] = [];
    for (let i = 0; i < 2; i++) multi.push({ tag: `get ${MULTI} ${i}`, http: get(MULTI, P) }, { tag: `connect ${MULTI} ${i}`, http: connect(MULTI, P) }, { tag: `socks ${MULTI} ${i}`, socksHost: MULTI, port: P });
    // One attempt at a time, each retried until the agent is no longer paused (every refusal of a
    // loopback address trips private-probe, which pauses the agent; the harness resumes it).
    const probe = (as: ProxyAttempt[]): string =>
      as.map((a) => `for i in $(seq 40); do python3 - > out.txt <<'PY'\n${proxyProbe([a])}\nPY\ngrep -q 'is paused' out.txt || break; sleep 0.3; done; grep -v probe-done out.txt`).join('\n') + '\necho probe-done';
    const flip1: ProxyAttempt[] = [{ tag: 'flip before', http: get(FLIP, P) }];
    const flip2: ProxyAttempt[] = [
      { tag: 'flip after get', http: get(FLIP, P) },
      { tag: 'flip after connect', http: connect(FLIP, P) },
      { tag: 'flip after socks', socksHost: FLIP, port: P },
    ];
    const cfg = s.setup((a) => ({
      name: a,
      network: 'on',
      rules: `allow net *\nallow net ${LOOP}:*\nallow net ${MULTI}:${P}\nallow net ${FLIP}:${P}\nallow net 127.0.0.2:${P}\n`,
      command: [
        'bash',
        '-c',
        [
          probe(loop),
          probe(multi),
          probe(flip1),
          'touch flip-wanted; for i in $(seq 100); do test -e flip-done && break; sleep 0.1; done',
          probe(flip2),
        ].join('\n'),
      ],
    }));
    const ws = agentDirs(cfg.dataDir, cfg.name).workspace;
    const run = runResuming(cfg.dataDir, cfg.file, cfg.name, { ms: 100_000 });
    await waitFor(() => existsSync(join(ws, 'flip-wanted')), 90_000);
    setHosts([`127.0.0.1 ${LOOP}`, `127.0.0.1 ${MULTI}`, `127.0.0.2 ${MULTI}`, `127.0.0.1 ${FLIP}`]);
    writeFileSync(join(ws, 'flip-done'), '');
    const r = await run;
    const res = probeResults(r.stdout);
    if (process.env.ATKB_DUMP) writeFileSync(process.env.ATKB_DUMP, r.stdout);
    expect(r.stdout.match(/probe-done/g), r.stderr).toHaveLength(4);
    // Threat: the proxy decides on a name but dials another address (DNS rebinding, multi-A records).
    expect(bad.hits()).toBe(0);
    for (const a of [...loop, ...multi, ...flip2]) expect(res.get(a.tag), a.tag).not.toContain('hello from bad');
    for (const a of loop) expect(res.get(a.tag), 'a name rule alone opens no loopback address').not.toMatch(/hello from|is paused|^socks 0/);
    for (const a of [...multi, ...flip2]) expect(res.get(a.tag), a.tag).not.toMatch(/is paused/);
    // positive controls: before the rebinding the name reached the named address
    expect(res.get('flip before')).toContain('hello from good');
    expect(events(cfg.dataDir, cfg.name, 'net.deny').length).toBeGreaterThan(0);
  }, 120_000);
});
