import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

// PRODUCT.md: "`approve ID` answers this ask only; `--always` also adds the rule", and "Every
// decision records the rule (line) that made it". With an `ask` rule naming the target, the added
// `allow` is in the same tier (ask beats allow), so the remembered answer decides the later
// requests. Those used to be logged as a new `*.ask` (nobody was asked) followed by an allow
// "approved by the user" with answer "once".
const tmp = tempDir('paddock-conform-always-');
const started: ReturnType<typeof paddockAsync>[] = [];
let srv: Server;
let hits = 0;
beforeAll(async () => {
  srv = await new Promise<Server>((resolve) => {
    const s = createServer((_req, res) => {
      hits++;
      res.end('hello\n');
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
});
afterEach(() => {
  for (const s of started.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
});
afterAll(() => {
  srv.close();
  tmp.cleanup();
});

type Ev = Record<string, unknown>;
function events(dataDir: string, agent: string): Ev[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, '--json', '--limit', '10000']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Ev);
}
function pending(dataDir: string): Ev[] {
  const r = paddock(['--data-dir', dataDir, 'approvals', '--json']);
  return r.code === 0 ? r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Ev) : [];
}

describe('approve --always', () => {
  it('action: the later asks are allowed by the remembered rule, logged as such, with no new ask', async () => {
    const dataDir = join(tmp.dir, 'data-action');
    const file = join(tmp.dir, 'mailer.yaml');
    writeFileSync(file, 'name: mailer\nrules: |\n  # the one rule\n  ask action send-email\ncommand: [sh, -c, "paddock-ask send-email first; echo R1=$?; paddock-ask send-email second; echo R2=$?"]\n');
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const [ask] = await waitFor(() => (pending(dataDir).length ? pending(dataDir) : null), 20_000);
    expect(Object.keys(ask!)).toEqual(expect.arrayContaining(['id', 'agent', 'kind', 'target', 'detail', 'created', 'expires']));
    expect(ask).toMatchObject({ agent: 'mailer', kind: 'action', target: 'send-email', detail: 'first' });
    expect(paddock(['--data-dir', dataDir, 'approve', String(ask!.id), '--always']).code).toBe(0);
    expect(await run.exit).toBe(0);
    expect(run.out()).toContain('R1=0');
    expect(run.out()).toContain('R2=0');

    const evs = events(dataDir, 'mailer');
    expect(evs.filter((e) => e.kind === 'approval.request')).toHaveLength(1);
    expect(evs.find((e) => e.kind === 'rule.change')).toMatchObject({ rule: 'allow action send-email' });
    // Positive control: the first one was asked and answered by the user.
    expect(evs.filter((e) => e.kind === 'action.ask').map((e) => e.detail)).toEqual(['first']);
    const allows = evs.filter((e) => e.kind === 'action.allow');
    expect(allows.map((e) => e.detail)).toEqual(['first', 'second']);
    expect(allows[0]).toMatchObject({ rule: 'ask action send-email', line: 4, answer: 'always' });
    expect(String(allows[0]!.reason)).toMatch(/approved by the user/);
    // The second: decided by the remembered answer, and it says so.
    expect(allows[1]).toMatchObject({ answer: 'always' });
    expect(String(allows[1]!.reason)).toMatch(/"always" answer: allow action send-email/);
    expect(String(allows[1]!.reason)).not.toMatch(/approved by the user/);
  });

  it('net: the same, for a host:port asked by a rule naming it', async () => {
    hits = 0;
    const port = (srv.address() as AddressInfo).port;
    const dataDir = join(tmp.dir, 'data-net');
    const file = join(tmp.dir, 'fetcher.yaml');
    const curl = `curl -fsS -o /dev/null --max-time 20 http://host.paddock.internal:${port}/`;
    writeFileSync(file, `name: fetcher\nnetwork: on\nrules: |\n  ask net host.paddock.internal:${port}\ncommand: [sh, -c, "${curl} && echo C1; ${curl} && echo C2"]\n`);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const [ask] = await waitFor(() => (pending(dataDir).length ? pending(dataDir) : null), 20_000);
    expect(ask).toMatchObject({ agent: 'fetcher', kind: 'net', target: `host.paddock.internal:${port}` });
    expect(paddock(['--data-dir', dataDir, 'approve', String(ask!.id), '--always']).code).toBe(0);
    expect(await run.exit).toBe(0);
    expect(run.out()).toContain('C2');
    expect(hits).toBe(2);
    const evs = events(dataDir, 'fetcher');
    expect(evs.filter((e) => e.kind === 'approval.request')).toHaveLength(1);
    expect(evs.filter((e) => e.kind === 'net.ask')).toHaveLength(1);
    const allows = evs.filter((e) => e.kind === 'net.allow');
    expect(allows).toHaveLength(2);
    expect(allows[1]).toMatchObject({ host: 'host.paddock.internal', port, rule: `ask net host.paddock.internal:${port}`, line: 4 });
    expect(String(allows[1]!.reason)).toMatch(/"always" answer: allow net host.paddock.internal:/);
  });
});
