/**
 * Attack pass B (black box), the network path: two-tier precedence, pipelined / smuggled second
 * requests on a kept-alive client connection, URL-parser confusions (userinfo, backslash, port
 * overflow), HTTP/1.0, oversized heads, SOCKS4/4a/5 by address. A forbidden loopback server must see
 * nothing; the servers the rules name answer (positive controls).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingServer, events, probeResults, runResuming, suite, type CountingServer } from './helpers.js';
import { rawProbe, type RawAttempt } from './attack-pass-probe.js';

const s = suite('atknet');
let named: CountingServer; // allow net 127.0.0.1:PORT (beats deny net *)
let other: CountingServer; // reached through allow net 127.0.0.0/8:*
let target: CountingServer; // deny net 127.0.0.1:PORT (same tier as the CIDR: deny wins) — must never be reached

beforeAll(async () => {
  named = await countingServer('named');
  other = await countingServer('other');
  target = await countingServer('target');
});
afterAll(async () => {
  await Promise.all([named.close(), other.close(), target.close()]);
  s.cleanup();
});

const be16 = (n: number): string => String.fromCharCode(n >> 8, n & 255);

describe('the network path decides per request, on what it dials', () => {
  it('precedence, pipelining, smuggling, URL confusions, HTTP/1.0, huge heads and SOCKS by address never reach a denied server; the allowed ones answer', async () => {
    const A = `127.0.0.1:${named.port}`;
    const T = `127.0.0.1:${target.port}`;
    const PT = target.port;
    const getA = `GET http://${A}/ HTTP/1.1\r\nHost: ${A}\r\n\r\n`;
    const attempts: RawAttempt[] = [
      // CL.TE / TE.CL / obfuscated TE: the body smuggles a request to the denied host
      { tag: 'cl-te', parts: [`POST http://${A}/ HTTP/1.1\r\nHost: ${A}\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET http://${T}/ HTTP/1.1\r\nHost: ${T}\r\n\r\n`] },
      { tag: 'te-cl', parts: [`POST http://${A}/ HTTP/1.1\r\nHost: ${A}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n1\r\nZ\r\n0\r\n\r\nGET http://${T}/ HTTP/1.1\r\nHost: ${T}\r\n\r\n`] },
      { tag: 'te-obfuscated', parts: [`POST http://${A}/ HTTP/1.1\r\nHost: ${A}\r\nTransfer-Encoding: xchunked\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\nGET http://${T}/ HTTP/1.1\r\nHost: ${T}\r\n\r\n`] },
      // URL-parser confusions: which part is the host?
      { tag: 'userinfo', parts: [`GET http://${A}@${T}/ HTTP/1.1\r\nHost: ${T}\r\n\r\n`] },
      { tag: 'backslash', parts: [`GET http://${T}\\@${A}/ HTTP/1.1\r\nHost: ${A}\r\n\r\n`] },
      { tag: 'fragment-at', parts: [`GET http://${T}#@${A}/ HTTP/1.1\r\nHost: ${A}\r\n\r\n`] },
      { tag: 'query-at', parts: [`GET http://${T}?@${A}/ HTTP/1.1\r\nHost: ${A}\r\n\r\n`] },
      { tag: 'port-overflow', parts: [`GET http://127.0.0.1:${PT + 65536}/ HTTP/1.1\r\nHost: 127.0.0.1:${PT + 65536}\r\n\r\n`] },
      { tag: 'port-overflow-connect', parts: [`CONNECT 127.0.0.1:${PT + 65536} HTTP/1.1\r\n\r\n`, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'] },
      { tag: 'port-leading-zero', parts: [`GET http://127.0.0.1:0${PT}/ HTTP/1.1\r\nHost: 127.0.0.1:0${PT}\r\n\r\n`] },
      { tag: 'two-ports', parts: [`GET http://${A}:${PT}/ HTTP/1.1\r\nHost: ${A}\r\n\r\n`] },
      { tag: 'connect-two-ports', parts: [`CONNECT ${A}:${PT} HTTP/1.1\r\n\r\n`, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'] },
      // HTTP/1.0 and oversized heads
      { tag: 'http10-origin', parts: [`GET / HTTP/1.0\r\nHost: ${T}\r\n\r\n`] },
      { tag: 'http10-abs', parts: [`GET http://${T}/ HTTP/1.0\r\n\r\n`] },
      { tag: 'huge-head', parts: [`GET http://${T}/ HTTP/1.1\r\nHost: ${T}\r\nX-Pad: <<PAD>>\r\n\r\n`] },
      { tag: 'many-headers', parts: [`GET http://${T}/ HTTP/1.1\r\nHost: ${T}\r\n<<HEADERS>>\r\n`] },
      // IPv6 zone ids, HTTP/2 prior knowledge, Expect: 100-continue to a denied host
      { tag: 'ipv6-zone', parts: [`GET http://[::1%25lo]:${PT}/ HTTP/1.1\r\nHost: [::1%25lo]:${PT}\r\n\r\n`] },
      { tag: 'ipv6-zone-connect', parts: [`CONNECT [::1%lo]:${PT} HTTP/1.1\r\n\r\n`, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'] },
      { tag: 'h2-prior-knowledge', parts: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'] },
      { tag: 'expect-continue', parts: [`POST http://${T}/ HTTP/1.1\r\nHost: ${T}\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n`, 'hello'] },
      { tag: 'https-scheme', parts: [`GET https://${T}/ HTTP/1.1\r\nHost: ${T}\r\n\r\n`] },
      // SOCKS by address (v5 IPv4, v5 IPv6 mapped, v4, v4a)
      { tag: 'socks5-ipv4', parts: ['\x05\x01\x00', `\x05\x01\x00\x01\x7f\x00\x00\x01${be16(PT)}`, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'] },
      { tag: 'socks5-ipv6-mapped', parts: ['\x05\x01\x00', `\x05\x01\x00\x04${'\x00'.repeat(10)}\xff\xff\x7f\x00\x00\x01${be16(PT)}`, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'] },
      { tag: 'socks4', parts: [`\x04\x01${be16(PT)}\x7f\x00\x00\x01\x00`, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'] },
      { tag: 'socks4a', parts: [`\x04\x01${be16(PT)}\x00\x00\x00\x01\x00127.0.0.1\x00`, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'] },
    ];
    const pipelined: RawAttempt[] = [
      // a second request on the same client connection, to a denied host: must be decided again
      { tag: 'pipeline-abs', parts: [`GET http://${A}/ HTTP/1.1\r\nHost: ${A}\r\nConnection: keep-alive\r\n\r\nGET http://${T}/ HTTP/1.1\r\nHost: ${T}\r\n\r\n`] },
      { tag: 'pipeline-abs-later', parts: [`GET http://${A}/ HTTP/1.1\r\nHost: ${A}\r\nConnection: keep-alive\r\n\r\n`, `GET http://${T}/ HTTP/1.1\r\nHost: ${T}\r\n\r\n`] },
      { tag: 'pipeline-origin', parts: [`GET http://${A}/ HTTP/1.1\r\nHost: ${A}\r\nConnection: keep-alive\r\n\r\n`, `GET / HTTP/1.1\r\nHost: ${T}\r\n\r\n`] },
    ];
    const ok: RawAttempt[] = [
      { tag: 'ok named (named allow beats deny net *)', parts: [getA] },
      { tag: 'ok other (CIDR)', parts: [`GET http://127.0.0.1:${other.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${other.port}\r\n\r\n`] },
      { tag: 'ok socks5-ipv4 named', parts: ['\x05\x01\x00', `\x05\x01\x00\x01\x7f\x00\x00\x01${be16(named.port)}`, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'] },
    ];
    const retried = (g: RawAttempt[]): string => `for i in $(seq 30); do python3 - > out.txt <<'PY'\n${rawProbe(g)}\nPY\ngrep -q 'is paused' out.txt || break; sleep 0.3; done; cat out.txt`;
    const cfg = s.setup((a) => ({
      name: a,
      network: 'on',
      rules: `allow net ${A}\ndeny net *\nallow net 127.0.0.0/8:*\ndeny net ${T}\n`,
      // Refusals of loopback addresses trip private-probe, which pauses the agent (the harness resumes
      // it): the groups whose allowed half must go through are retried until the agent was not paused.
      command: ['bash', '-c', [retried(pipelined), `python3 - <<'PY'\n${rawProbe(attempts)}\nPY`, retried(ok)].join('\n')],
    }));
    const r = await runResuming(cfg.dataDir, cfg.file, cfg.name, { ms: 80_000 });
    const res = probeResults(r.stdout);
    if (process.env.ATKB_DUMP) (await import('node:fs')).writeFileSync(process.env.ATKB_DUMP, r.stdout);
    expect(r.stdout.match(/probe-done/g), r.stderr).toHaveLength(3);
    expect(target.hits()).toBe(0);
    for (const a of [...pipelined, ...attempts]) expect(res.get(a.tag), a.tag).not.toContain('hello from target');
    // Threat: a kept-alive client connection is a new decision per request (not "already allowed").
    expect(res.get('pipeline-abs')).toMatch(/hello from named.*HTTP\/1\.1 403/);
    expect(res.get('pipeline-abs-later')).toMatch(/hello from named.*HTTP\/1\.1 403/);
    expect(res.get('pipeline-origin')).toMatch(/hello from named.*HTTP\/1\.1 400/);
    // Threat: an oversized head must be refused, not buffered without bound.
    expect(res.get('huge-head')).not.toMatch(/^HTTP\/1\.[01] 2\d\d/);
    // positive controls: precedence (named allow beats deny *; CIDR allow reaches another port), SOCKS5 by address
    expect(res.get('ok named (named allow beats deny net *)')).toContain('hello from named');
    expect(res.get('ok other (CIDR)')).toContain('hello from other');
    expect(res.get('ok socks5-ipv4 named')).toContain('hello from named');
    const denies = events(cfg.dataDir, cfg.name, 'net.deny');
    expect(denies.some((e) => e.rule === `deny net ${T}`)).toBe(true);
  }, 100_000);
});
