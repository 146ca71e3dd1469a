/**
 * `host.paddock.internal` is the user's computer inside every sandbox (PRODUCT.md "net"): a
 * service on the host's loopback answers an agent that names it, through the proxy with the
 * proxy variables exactly as Paddock sets them (plain HTTP, CONNECT and SOCKS5), only when a
 * rule names it. Loopback only: the test servers listen on 127.0.0.1 and ::1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock, paddockP, tempDir } from '../helpers/cli.js';

const tmp = tempDir('paddock-hostint-');
let v4: Server;
let v6: Server | null = null;
let hits = 0;
const port = (s: Server): number => (s.address() as AddressInfo).port;

function serve(host: string, tag: string): Promise<Server | null> {
  return new Promise((resolve) => {
    const s = createServer((_req, res) => {
      hits++;
      res.end(`hello from the host ${tag}\n`);
    });
    s.once('error', () => resolve(null)); // no ::1 on this machine: the IPv6 case is skipped
    s.listen(0, host, () => resolve(s));
  });
}

beforeAll(async () => {
  v4 = (await serve('127.0.0.1', 'v4'))!;
  v6 = await serve('::1', 'v6');
});
afterAll(() => {
  v4.close();
  v6?.close();
  tmp.cleanup();
});

let n = 0;
function setup(body: (name: string) => string): { dataDir: string; file: string; name: string } {
  const name = `hi-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const file = join(tmp.dir, `${name}.yaml`);
  writeFileSync(file, body(name));
  return { dataDir, file, name };
}

function events(dataDir: string, agent: string, kind: string): Record<string, unknown>[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, '--kind', kind, '--json', '--limit', '10000']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

// The proxy variables are used exactly as Paddock sets them (no -u NO_PROXY, no --proxy URL of our own).
const H = 'host.paddock.internal';
const http = (p: number, tag: string): string => `curl -fsS --max-time 20 http://${H}:${p}/ && echo OK-${tag} || echo FAIL-${tag}`;
// -p: tunnel through the HTTP proxy with CONNECT (as an https:// URL would).
const connect = (p: number, tag: string): string => `curl -fsS -p --max-time 20 http://${H}:${p}/ && echo OK-${tag} || echo FAIL-${tag}`;
// SOCKS5 by name: ALL_PROXY is socks5h://, the name is sent to the proxy.
const socks = (p: number, tag: string): string => `curl -fsS --max-time 20 --proxy "$ALL_PROXY" http://${H}:${p}/ && echo OK-${tag} || echo FAIL-${tag}`;

describe('host.paddock.internal through paddock run', () => {
  it('with a rule naming it, a loopback service on the host answers over HTTP, CONNECT and SOCKS5 (and on ::1)', async () => {
    hits = 0;
    const p = port(v4);
    const cmds = [http(p, 'http'), connect(p, 'connect'), socks(p, 'socks'), `curl -fsS --max-time 20 http://HOST.Paddock.Internal.:${p}/ && echo OK-case || echo FAIL-case`, 'grep -c host.paddock.internal PADDOCK.md'];
    if (v6) cmds.push(http(port(v6), 'v6'));
    const rules = [`allow net ${H}:${p}`, ...(v6 ? [`allow net ${H}:${port(v6)}`] : [])];
    const { dataDir, file, name } = setup((a) => `name: ${a}\nnetwork: on\nrules: |\n${rules.map((r) => `  ${r}\n`).join('')}command: [sh, -c, ${JSON.stringify(cmds.join('; '))}]\n`);
    const r = await paddockP(['--data-dir', dataDir, 'run', file]);
    expect(r.stdout).not.toContain('FAIL-');
    for (const t of ['http', 'connect', 'socks', 'case', ...(v6 ? ['v6'] : [])]) expect(r.stdout).toContain(`OK-${t}`);
    expect(r.stdout).toContain('hello from the host v4');
    if (v6) expect(r.stdout).toContain('hello from the host v6');
    const allow = events(dataDir, name, 'net.allow');
    // Repeated decisions may be folded into one event with a count.
    const count = (es: Record<string, unknown>[]): number => es.reduce((k, e) => k + (typeof e.count === 'number' ? e.count : 1), 0);
    expect(count(allow.filter((e) => e.port === p))).toBe(4);
    expect(hits).toBe(v6 ? 5 : 4);
    for (const e of allow.filter((x) => x.port === p)) expect(e).toMatchObject({ host: H, rule: `allow net ${H}:${p}`, line: 4, address: '127.0.0.1' });
    if (v6) expect(allow.find((e) => e.port === port(v6!))).toMatchObject({ host: H, address: '::1' });
    expect(events(dataDir, name, 'net.deny')).toEqual([]);
  });

  it('without a rule naming it the host is refused (net.deny naming the rule to add); allow net * and ask net * never reach or ask', async () => {
    hits = 0;
    const p = port(v4);
    const { dataDir, file, name } = setup(
      (a) => `name: ${a}\nnetwork: on\napprovals: { timeout: 5 }\nrules: |\n  allow net *\n  ask net *:*\n  allow net *.internal:*\ncommand: [sh, -c, ${JSON.stringify([http(p, 'http'), connect(p, 'connect'), socks(p, 'socks')].join('; '))}]\n`,
    );
    const r = await paddockP(['--data-dir', dataDir, 'run', file]);
    for (const t of ['http', 'connect', 'socks']) expect(r.stdout).toContain(`FAIL-${t}`);
    expect(hits).toBe(0);
    const deny = events(dataDir, name, 'net.deny');
    expect(deny.reduce((k, e) => k + (typeof e.count === 'number' ? e.count : 1), 0)).toBe(3);
    for (const e of deny) {
      expect(e).toMatchObject({ host: H, port: p, rule: null });
      expect(e.reason).toContain(`allow net ${H}:${p}`);
    }
    expect(events(dataDir, name, 'approval.request')).toEqual([]);
    expect(events(dataDir, name, 'alert')).toEqual([]);
  });

  it('paddock check warns about a localhost rule and names the host.paddock.internal rule instead', () => {
    const file = join(tmp.dir, 'local.yaml');
    writeFileSync(file, 'name: local\nnetwork: on\nrules: |\n  allow net localhost:11434\n  allow net 127.0.0.1:8080\n');
    const r = paddock(['check', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/allow net localhost:11434 \(line 4\).*agent's own machine.*\[net-localhost-rule\]/);
    expect(r.stdout).toContain('suggested: allow net host.paddock.internal:11434');
    expect(r.stdout).toContain('suggested: allow net host.paddock.internal:8080');
  });
});
