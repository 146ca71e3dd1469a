import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Approval } from '../../src/shared/approval.schema.js';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

// Issue 16 items 2 and 5, through the real CLI, bwrap and proxy. Loopback only.
const tmp = tempDir('paddock-asks-');
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

let n = 0;
function setup(body: (name: string) => string): { dataDir: string; file: string; name: string } {
  const name = `asks-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const file = join(tmp.dir, `${name}.yaml`);
  writeFileSync(file, body(name));
  return { dataDir, file, name };
}
function events(dataDir: string, agent: string, kind: string): Record<string, unknown>[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, '--kind', kind, '--json', '--limit', '10000']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}
function pending(dataDir: string): Approval[] {
  const r = paddock(['--data-dir', dataDir, 'approvals', '--json']);
  return r.code === 0 ? r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Approval) : [];
}

describe('asks through paddock run (issue 16)', () => {
  it('an agent retrying a denied host 20 times raises one prompt; the retries are refused, saying why', async () => {
    hits = 0;
    const port = (srv.address() as AddressInfo).port;
    const curl = `env -u NO_PROXY -u no_proxy curl -fsS -o /dev/null --max-time 20 http://retry.test:${port}/`;
    const { dataDir, file, name } = setup(
      (a) => `name: ${a}\nnetwork: on\nrules: |\n  ask net retry.test:*\ncommand: [sh, -c, "i=0; while [ $i -lt 20 ]; do ${curl} || echo REFUSED; i=$((i+1)); done; echo done"]\n`,
    );
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const [ask] = await waitFor(() => (pending(dataDir).length ? pending(dataDir) : null), 20_000);
    expect(paddock(['--data-dir', dataDir, 'deny', ask!.id]).code).toBe(0);
    await run.exit;
    expect(run.out().match(/REFUSED/g)).toHaveLength(20);
    expect(run.out()).toContain('done');
    expect(hits).toBe(0);
    expect(events(dataDir, name, 'approval.request')).toHaveLength(1);
    expect(events(dataDir, name, 'approval.answer')[0]).toMatchObject({ approval: ask!.id, answer: 'deny', holds: 'run' });
    const denies = events(dataDir, name, 'net.deny');
    expect(denies.some((e) => String(e.reason).includes(`denied earlier in this run (approval ${ask!.id})`))).toBe(true);
  });

  it('paddock-ask: allowed and denied by a rule, or asked: each is an action.* event with the rule and its line', async () => {
    const { dataDir, file, name } = setup(
      (a) =>
        `name: ${a}\nnetwork: off\nrules: |\n  allow action send-email\n  deny action drop-db\ncommand: [sh, -c, "paddock-ask send-email 'to boss' && echo A1; paddock-ask drop-db || echo D1; paddock-ask book-flight 'to Oslo' && echo A2 || echo D2"]\n`,
    );
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const [ask] = await waitFor(() => (pending(dataDir).length ? pending(dataDir) : null), 20_000);
    expect(ask).toMatchObject({ kind: 'action', target: 'book-flight' });
    const bad = paddock(['--data-dir', dataDir, 'approve', ask!.id, '--for', '2h']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--for takes 1h/);
    expect(paddock(['--data-dir', dataDir, 'approve', ask!.id, '--for-run']).code).toBe(0);
    await run.exit;
    expect(run.out()).toMatch(/A1[^]*D1[^]*A2/);
    const all = events(dataDir, name, 'action.');
    expect(all.map((e) => e.kind)).toEqual(['action.allow', 'action.deny', 'action.ask', 'action.allow']);
    expect(all[0]).toMatchObject({ action: 'send-email', detail: 'to boss', rule: 'allow action send-email', line: 4 });
    expect(all[1]).toMatchObject({ action: 'drop-db', rule: 'deny action drop-db', line: 5 });
    expect(all[2]).toMatchObject({ action: 'book-flight', detail: 'to Oslo', rule: null, line: null });
    expect(all[3]).toMatchObject({ action: 'book-flight', answer: 'allow-run' });
    expect(events(dataDir, name, 'approval.request')[0]).toMatchObject({ approval: ask!.id, target: 'book-flight' });
    expect(events(dataDir, name, 'approval.answer')[0]).toMatchObject({ approval: ask!.id, answer: 'allow-run', holds: 'run' });
    // The human-readable listing shows them too.
    expect(paddock(['--data-dir', dataDir, 'events', '--agent', name, '--kind', 'action.']).stdout).toMatch(/action\.deny\s.*drop-db/);
  });

  it('an agent that keeps asking raises an ask-flood alert and is not paused (default)', async () => {
    const { dataDir, file, name } = setup(
      (a) => `name: ${a}\nnetwork: off\ncommand: [sh, -c, "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do paddock-ask act-$i & done; wait; echo done"]\n`,
    );
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const [alert] = await waitFor(() => {
      const a = events(dataDir, name, 'alert').filter((e) => e.type === 'ask-flood');
      return a.length ? a : null;
    }, 20_000);
    expect(alert).toMatchObject({ agent: name, autoPause: false });
    expect(String(alert!.message)).toMatch(/asked 11 times within 60 s/);
    expect(paddock(['--data-dir', dataDir, 'ps', '--json']).stdout).not.toMatch(/"state":"paused"/);
    expect(paddock(['--data-dir', dataDir, 'kill', name]).code).toBe(0);
    await run.exit;
  });

  it('the terminal of paddock run says an ask is waiting and how to answer it there (it looked like a hang)', async () => {
    const port = (srv.address() as AddressInfo).port;
    const { dataDir, file, name } = setup(
      (a) => `name: ${a}\nnetwork: on\napprovals: { timeout: 90 }\nrules: |\n  ask net 127.0.0.1:${port}\ncommand: [sh, -c, "env -u NO_PROXY -u no_proxy curl -fsS -o /dev/null http://127.0.0.1:${port}/ && echo GOT-IT"]\n`,
    );
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const [ask] = await waitFor(() => (pending(dataDir).length ? pending(dataDir) : null), 20_000);
    const line = `paddock: ${name} asks: net 127.0.0.1:${port} — it waits for your answer: paddock approve ${ask!.id} or paddock deny ${ask!.id} in another terminal, or the app; unanswered, it is denied in 90 s\n`;
    await waitFor(() => run.err().includes(line), 10_000);
    expect(paddock(['--data-dir', dataDir, 'approve', ask!.id]).code).toBe(0);
    expect(await run.exit).toBe(0);
    expect(run.out()).toContain('GOT-IT');
    expect(run.err().match(/ asks: /g)).toHaveLength(1);
  });
});
