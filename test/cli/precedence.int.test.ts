/**
 * The two precedence tiers (PRODUCT.md "Precedence", issue 15 item 4) through `paddock run`, the
 * real proxy and a real sandbox: a rule naming the target beats a rule for any target (`*`); within
 * a tier deny > ask > allow. Loopback only: the named host is a name /etc/hosts maps to 127.0.0.1
 * (resolved from the file, no DNS query), dialled because a rule also names 127.0.0.1:PORT (the
 * resolved address is decided again); every other target is refused before any lookup.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock, paddockP, tempDir } from '../helpers/cli.js';

/** A name other than localhost that /etc/hosts maps to 127.0.0.1 (none: the named-host cases are skipped). */
const NAME = ((): string | null => {
  try {
    for (const line of readFileSync('/etc/hosts', 'utf8').split('\n')) {
      const [addr, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
      if (addr !== '127.0.0.1') continue;
      const n = names.find((x) => /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/i.test(x) && !/^localhost(\.|$)/i.test(x) && !/\.internal$/i.test(x));
      if (n) return n;
    }
  } catch {
    /* no hosts file */
  }
  return null;
})();

const tmp = tempDir('paddock-tiers-');
let server: Server;
let hits = 0;
let P = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.end('hello from the named host\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  P = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
  tmp.cleanup();
});

let n = 0;
/** Runs an agent with RULES that fetches URL; its output, events and the server's hits. */
async function fetchWith(rules: string[], url: string): Promise<{ out: string; events: Record<string, unknown>[]; hits: number }> {
  const name = `tier-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const file = join(tmp.dir, `${name}.yaml`);
  const cmd = `curl -sS -o /dev/null -w code=%{http_code} --max-time 20 ${url}; echo`;
  writeFileSync(file, `name: ${name}\nnetwork: on\napprovals: { timeout: 2 }\nrules: |\n${rules.map((r) => `  ${r}\n`).join('')}command: [sh, -c, ${JSON.stringify(cmd)}]\n`);
  const before = hits;
  const r = await paddockP(['--data-dir', dataDir, 'run', file]);
  const ev = paddock(['--data-dir', dataDir, 'events', '--agent', name, '--json', '--limit', '10000']).stdout.trim().split('\n').filter(Boolean);
  return { out: r.stdout, events: ev.map((l) => JSON.parse(l) as Record<string, unknown>), hits: hits - before };
}
const kinds = (ev: Record<string, unknown>[], kind: string): Record<string, unknown>[] => ev.filter((e) => e.kind === kind);

describe('precedence tiers through paddock run', { timeout: 60_000 }, () => {
  it.skipIf(!NAME)('a named allow beats ask net *:* (the Claude Code preset shape): through, unasked', async () => {
    const r = await fetchWith([`allow net ${NAME}:${P}`, `allow net 127.0.0.1:${P}`, 'ask net *:*'], `http://${NAME}:${P}/`);
    expect(r.out).toContain('code=200');
    expect(r.hits).toBe(1);
    expect(kinds(r.events, 'approval.request')).toEqual([]);
    expect(kinds(r.events, 'net.allow')[0]).toMatchObject({ host: NAME, port: P, rule: `allow net ${NAME}:${P}`, line: 5 });
  });

  it.skipIf(!NAME)('a named allow beats deny net *:*', async () => {
    const r = await fetchWith(['deny net *:*', `allow net ${NAME}:${P}`, `allow net 127.0.0.1:${P}`], `http://${NAME}:${P}/`);
    expect(r.out).toContain('code=200');
    expect(r.hits).toBe(1);
    expect(kinds(r.events, 'net.allow')[0]).toMatchObject({ rule: `allow net ${NAME}:${P}` });
  });

  it.skipIf(!NAME)('within the named tier deny beats allow, and ask beats allow', async () => {
    const denied = await fetchWith([`allow net ${NAME}:${P}`, `allow net 127.0.0.1:${P}`, `deny net ${NAME}:*`], `http://${NAME}:${P}/`);
    expect(denied.out).toContain('code=403');
    expect(denied.hits).toBe(0);
    expect(kinds(denied.events, 'net.deny')[0]).toMatchObject({ host: NAME, rule: `deny net ${NAME}:*`, line: 7 });

    // Nobody answers: the ask is denied after its 2 s timeout; what matters is that it was asked.
    const asked = await fetchWith([`allow net ${NAME}:${P}`, `allow net 127.0.0.1:${P}`, `ask net ${NAME}:*`], `http://${NAME}:${P}/`);
    expect(asked.hits).toBe(0);
    expect(kinds(asked.events, 'approval.request')[0]).toMatchObject({ rule: `ask net ${NAME}:*` });
  });

  it('a named deny beats allow net *:* (refused before any lookup), and within the any tier deny beats allow', async () => {
    const named = await fetchWith(['allow net *:*', `deny net evil.test:*`], `http://evil.test:${P}/`);
    expect(named.out).toContain('code=403');
    expect(kinds(named.events, 'net.deny')[0]).toMatchObject({ host: 'evil.test', rule: 'deny net evil.test:*', line: 6 });
    const any = await fetchWith(['allow net *:*', 'deny net *:*'], `http://evil.test:${P}/`);
    expect(any.out).toContain('code=403');
    expect(kinds(any.events, 'net.deny')[0]).toMatchObject({ host: 'evil.test', rule: 'deny net *:*' });
    expect(named.hits + any.hits).toBe(0);
  });
});
