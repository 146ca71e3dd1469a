import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentCa } from '../../src/core/vault/ca.js';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

// Two loopback HTTPS servers with certificates from a test CA that the host (not the agent) trusts.
const tmp = tempDir('paddock-header-');
const seen: Record<'bound' | 'other', string[]> = { bound: [], other: [] };
let bound: Server;
let other: Server;
const port = (s: Server): number => (s.address() as AddressInfo).port;
const caFile = join(tmp.dir, 'upstream-ca.pem');
const VALUE = 'sk-real-value-7f3a9c1e';

beforeAll(async () => {
  const upstream = createAgentCa('test-upstream');
  writeFileSync(caFile, upstream.certPem);
  const leaf = upstream.issue('localhost');
  const mk = (name: 'bound' | 'other'): Promise<Server> =>
    new Promise((resolve) => {
      const s = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
        seen[name].push(String(req.headers.authorization ?? ''));
        res.end(`hello from ${name}\n`);
      });
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
  bound = await mk('bound');
  other = await mk('other');
});
let live: ReturnType<typeof paddockAsync> | null = null;
afterAll(() => {
  // A timed-out test never reaches its finally: never leave the hosting paddock run behind.
  if (live && live.child.exitCode === null) live.child.kill('SIGKILL');
  bound.close();
  other.close();
  tmp.cleanup();
});

/** Every file under `dir`, recursively (no symlinks followed). */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('header secrets: the agent holds a placeholder, the proxy injects the value for bound hosts only', () => {
  it('the bound server gets the real value; an allowed but unbound server gets the placeholder, an alert is raised and the agent paused; the value is nowhere on disk', async () => {
    const dataDir = join(tmp.dir, 'data');
    const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'header test passphrase', NODE_EXTRA_CA_CERTS: caFile };
    const curl = (p: number): string => `env -u NO_PROXY -u no_proxy curl -fsS --max-time 20 -H 'Authorization: Bearer '$API_KEY https://localhost:${p}/`;
    const file = join(tmp.dir, 'agent.yaml');
    writeFileSync(
      file,
      `name: hdr\nnetwork: on\nrules: |\n  allow net localhost:${port(bound)}\n  allow net localhost:${port(other)}\nsecrets:\n  - { name: API_KEY, as: header, hosts: ['localhost:${port(bound)}'], header: "Authorization: Bearer {}" }\ncommand: [sh, -c, "echo placeholder=$API_KEY; ${curl(port(bound))}; ${curl(port(other))}; sleep 60"]\n`,
    );
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', 'hdr', 'API_KEY'], { input: `${VALUE}\n`, env }).code).toBe(0);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { env });
    live = run;
    try {
      await waitFor(() => seen.other.length > 0, 30_000);
      const placeholder = /placeholder=(\S+)/.exec(run.out())?.[1];
      expect(placeholder).toBeTruthy();
      expect(placeholder).not.toContain(VALUE);
      expect(seen.bound).toEqual([`Bearer ${VALUE}`]);
      expect(seen.other).toEqual([`Bearer ${placeholder}`]);
      const evs = () => paddock(['--data-dir', dataDir, 'events', '--agent', 'hdr', '--json', '--limit', '10000']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      await waitFor(() => evs().some((e) => e.kind === 'alert' && e.type === 'secret-exfil'), 10_000);
      await waitFor(() => evs().some((e) => e.kind === 'agent.pause'), 10_000);
      expect(evs().some((e) => e.kind === 'secret.use' && e.name === 'API_KEY' && e.as === 'header' && String(e.host).startsWith('localhost'))).toBe(true);
    } finally {
      paddock(['--data-dir', dataDir, 'kill', 'hdr']);
      await run.exit;
    }
    // Database, WAL, event log, the agent's home: the value appears nowhere.
    for (const f of files(dataDir)) {
      if (statSync(f).size > 50_000_000) continue;
      expect(readFileSync(f).includes(Buffer.from(VALUE)), f).toBe(false);
    }
  });
});
