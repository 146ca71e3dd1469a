/**
 * Attack pass (black box), the agent's CONNECT head: since the proxy reads a whole plain CONNECT
 * head in the first packet itself (connect-head.ts) and hands everything else to Node's HTTP
 * parser, the same head sent whole or split in two packets must be decided the same way. Odd
 * targets (numeric spellings, zones, trailing dots, userinfo, absolute form, leading-zero ports),
 * a Host header naming another host, heads at the 8 KiB / 64-line edges, tunnel bytes in the head's
 * packet and a pipelined second CONNECT never reach the denied server; half-open heads do not stop
 * the allowed one from answering, and the run ends (the refused sockets are closed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingServer, probeResults, runResuming, suite, type CountingServer } from './helpers.js';
import { rawProbe, type RawAttempt } from './attack-pass-probe.js';

const s = suite('atkhead');
let named: CountingServer; // allow net 127.0.0.1:PORT
let target: CountingServer; // deny net 127.0.0.1:PORT — must never be reached

beforeAll(async () => {
  named = await countingServer('named');
  target = await countingServer('target');
});
afterAll(async () => {
  await Promise.all([named.close(), target.close()]);
  s.cleanup();
});

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
/** A CONNECT head padded with one X-Pad header to exactly `size` bytes (CRLFCRLF included). */
function padded(t: string, size: number): string {
  const start = `CONNECT ${t} HTTP/1.1\r\nX-Pad: `;
  return `${start}${'a'.repeat(size - start.length - 4)}\r\n\r\n`;
}
/** Each head as one packet and as two (split after `CONNECT `), then a request through the tunnel. */
function both(tag: string, head: string): RawAttempt[] {
  return [
    { tag: `${tag} whole`, parts: [head, GET] },
    { tag: `${tag} split`, parts: [head.slice(0, 8), head.slice(8), GET] },
  ];
}

describe("the agent's CONNECT head is decided the same whole or in pieces", () => {
  it('odd targets and heads never reach a denied server, whole or split; the allowed server answers both ways', async () => {
    const A = `127.0.0.1:${named.port}`;
    const T = `127.0.0.1:${target.port}`;
    const PT = target.port;
    const denied: [string, string][] = [
      ['plain', `CONNECT ${T} HTTP/1.1\r\n\r\n`],
      ['http10', `CONNECT ${T} HTTP/1.0\r\n\r\n`],
      ['host-header-names-allowed', `CONNECT ${T} HTTP/1.1\r\nHost: ${A}\r\nHost: ${A}\r\n\r\n`],
      ['trailing-dot', `CONNECT 127.0.0.1.:${PT} HTTP/1.1\r\n\r\n`],
      ['decimal', `CONNECT 2130706433:${PT} HTTP/1.1\r\n\r\n`],
      ['hex-short', `CONNECT 0x7f.1:${PT} HTTP/1.1\r\n\r\n`],
      ['short', `CONNECT 127.1:${PT} HTTP/1.1\r\n\r\n`],
      ['mapped-v6', `CONNECT [::ffff:127.0.0.1]:${PT} HTTP/1.1\r\n\r\n`],
      ['mapped-v6-hex', `CONNECT [::FFFF:7f00:1]:${PT} HTTP/1.1\r\n\r\n`],
      ['zone', `CONNECT [::ffff:127.0.0.1%25lo]:${PT} HTTP/1.1\r\n\r\n`],
      ['zone-raw', `CONNECT [::1%lo]:${PT} HTTP/1.1\r\n\r\n`],
      ['leading-zero-port', `CONNECT 127.0.0.1:00${PT} HTTP/1.1\r\n\r\n`],
      ['plus-port', `CONNECT 127.0.0.1:+${PT} HTTP/1.1\r\n\r\n`],
      ['userinfo', `CONNECT ${A}@${T} HTTP/1.1\r\n\r\n`],
      ['percent', `CONNECT 127.0.0.1%3a${PT}:${named.port} HTTP/1.1\r\n\r\n`],
      ['absolute-form', `CONNECT http://${T}/ HTTP/1.1\r\n\r\n`],
      ['two-spaces', `CONNECT  ${T} HTTP/1.1\r\n\r\n`],
      ['tab', `CONNECT\t${T} HTTP/1.1\r\n\r\n`],
      ['lower-method', `connect ${T} HTTP/1.1\r\n\r\n`],
      ['localhost', `CONNECT LocalHost.:${PT} HTTP/1.1\r\n\r\n`],
      ['8k-edge', padded(T, 8192)],
      ['8k-over', padded(T, 8193)],
      ['64-lines', `CONNECT ${T} HTTP/1.1\r\n${'X: y\r\n'.repeat(64)}\r\n`],
      ['65-lines', `CONNECT ${T} HTTP/1.1\r\n${'X: y\r\n'.repeat(65)}\r\n`],
      ['content-length', `CONNECT ${T} HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc`],
    ];
    const attempts = denied.flatMap(([tag, head]) => both(tag, head));
    // tunnel bytes in the head's packet; a pipelined CONNECT to the denied server rides the allowed tunnel
    const ok: RawAttempt[] = [
      ...both('ok plain', `CONNECT ${A} HTTP/1.1\r\nHost: ${A}\r\n\r\n`),
      ...both('ok 8k-edge', padded(A, 8192)),
      ...both('ok 8k-over', padded(A, 8193)),
      { tag: 'ok bytes-in-head-packet', parts: [`CONNECT ${A} HTTP/1.1\r\n\r\n${GET}`] },
      { tag: 'ok pipelined-connect', parts: [`CONNECT ${A} HTTP/1.1\r\n\r\nCONNECT ${T} HTTP/1.1\r\n\r\n`] },
    ];
    // 200 half-open heads (no CRLFCRLF, no more data) held while the allowed server is asked again
    const halfOpen = [
      'import socket',
      'held = []',
      'for i in range(200):',
      '    c = socket.create_connection(("127.0.0.1", 3128), timeout=5)',
      `    c.sendall(b"CONNECT ${A} HTTP/1.1\\r\\nX: " if i % 2 else b"CONNECT ")`,
      '    held.append(c)',
      'print("held: %d" % len(held))',
    ].join('\n');
    const retried = (g: RawAttempt[]): string => `for i in $(seq 30); do python3 - > out.txt <<'PY'\n${rawProbe(g)}\nPY\ngrep -q 'is paused' out.txt || break; sleep 0.3; done; cat out.txt`;
    const cfg = s.setup((a) => ({
      name: a,
      network: 'on',
      rules: `allow net ${A}\ndeny net ${T}\n`,
      command: ['bash', '-c', [`python3 - <<'PY'\n${rawProbe(attempts)}\nPY`, retried(ok), `python3 - <<'PY' &\n${halfOpen}\nimport time\ntime.sleep(8)\nPY\nsleep 3`, retried([{ tag: 'ok after half-open', parts: [`CONNECT ${A} HTTP/1.1\r\n\r\n`, GET] }]), 'wait'].join('\n')],
    }));
    const r = await runResuming(cfg.dataDir, cfg.file, cfg.name, { ms: 60_000 });
    const res = probeResults(r.stdout);
    if (process.env.ATKB_DUMP) (await import('node:fs')).writeFileSync(process.env.ATKB_DUMP, r.stdout);
    expect(r.stdout.match(/probe-done/g), r.stderr).toHaveLength(3);
    // Threat: a refused CONNECT's unread tunnel bytes kept its socket open, and the run then never
    // ended (paddock run hung until killed).
    expect(r.code, r.stderr).toBe(0);
    expect(target.hits()).toBe(0);
    const status = (t: string): string => (res.get(t) ?? '').split(' | ')[0]!;
    for (const [tag] of denied) {
      expect(res.get(`${tag} whole`), tag).not.toContain('hello from target');
      expect(status(`${tag} whole`), tag).toMatch(/^HTTP\/1\.1 4\d\d/);
      // Threat: a head read by the fast reader and by Node's parser decided differently.
      expect(status(`${tag} split`), tag).toBe(status(`${tag} whole`));
    }
    for (const t of ['ok plain whole', 'ok plain split', 'ok 8k-edge whole', 'ok 8k-edge split', 'ok 8k-over whole', 'ok 8k-over split', 'ok bytes-in-head-packet', 'ok pipelined-connect', 'ok after half-open'])
      expect(res.get(t), t).toContain('hello from named');
    expect(r.stdout).toContain('held: 200');
  }, 90_000);
});
