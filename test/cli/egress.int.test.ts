import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Approval } from '../../src/shared/approval.schema.js';
import { paddock, paddockAsync, paddockP, tempDir, waitFor } from '../helpers/cli.js';

// Loopback only: two test servers on 127.0.0.1, reached from inside the sandbox through the proxy.
const tmp = tempDir('paddock-egress-');
const started: ReturnType<typeof paddockAsync>[] = [];
let allowed: Server;
let other: Server;
let hits = { allowed: 0, other: 0 };
const port = (s: Server): number => (s.address() as AddressInfo).port;

beforeAll(async () => {
  const mk = (name: 'allowed' | 'other'): Promise<Server> =>
    new Promise((resolve) => {
      const s = createServer((_req, res) => {
        hits[name]++;
        res.end(`hello from ${name}\n`);
      });
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
  allowed = await mk('allowed');
  other = await mk('other');
});
afterEach(() => {
  for (const s of started.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
});
afterAll(() => {
  allowed.close();
  other.close();
  tmp.cleanup();
});

let n = 0;
function setup(body: (name: string) => string): { dataDir: string; file: string; name: string } {
  const name = `net-${++n}`;
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

// NO_PROXY covers the sandbox's own loopback; the test servers live on the host's, so curl must use the proxy.
const curl = (url: string): string => `env -u NO_PROXY -u no_proxy curl -fsS --max-time 20 ${url}`;

describe('egress through paddock run', () => {
  it('an allowed loopback server answers through the proxy; a denied host is refused; both are logged with their rule', async () => {
    hits = { allowed: 0, other: 0 };
    const { dataDir, file, name } = setup(
      (a) =>
        `name: ${a}\nnetwork: on\nrules: |\n  allow net 127.0.0.1:${port(allowed)}\n  deny net evil.test:*\ncommand: [sh, -c, "${curl(`http://127.0.0.1:${port(allowed)}/`)}; ${curl(`http://evil.test:${port(other)}/`)} || echo REFUSED; echo done"]\n`,
    );
    const r = await paddockP(['--data-dir', dataDir, 'run', file]);
    expect(r.stdout).toContain('hello from allowed');
    expect(r.stdout).toContain('REFUSED');
    expect(r.stderr).toMatch(/403/);
    expect(r.stdout).toContain('done');
    expect(hits.other).toBe(0);
    const allow = events(dataDir, name, 'net.allow');
    expect(allow[0]).toMatchObject({ host: '127.0.0.1', port: port(allowed), rule: `allow net 127.0.0.1:${port(allowed)}`, line: 4 });
    const deny = events(dataDir, name, 'net.deny');
    expect(deny[0]).toMatchObject({ host: 'evil.test', port: port(other), rule: 'deny net evil.test:*', line: 5 });
  });

  it('an allowed port with nothing listening answers 502 saying what failed, logged as net.error, not as a denial', async () => {
    // A port that was just free: nothing listens there (loopback only).
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = port(s);
        s.close(() => resolve(p));
      });
    });
    const { dataDir, file, name } = setup(
      (a) => `name: ${a}\nnetwork: on\nrules: |\n  allow net 127.0.0.1:${closed}\ncommand: [sh, -c, "env -u NO_PROXY -u no_proxy curl -sS -o /dev/null -w 'status=%{http_code}' --max-time 20 http://127.0.0.1:${closed}/; echo; env -u NO_PROXY -u no_proxy curl -sS --max-time 20 http://127.0.0.1:${closed}/; echo end"]\n`,
    );
    const r = await paddockP(['--data-dir', dataDir, 'run', file]);
    expect(r.stdout).toContain('status=502');
    expect(r.stdout).toMatch(/could not connect to 127\.0\.0\.1:\d+ \(127\.0\.0\.1\): ECONNREFUSED/);
    expect(r.stdout).not.toMatch(/denied/);
    expect(events(dataDir, name, 'net.deny')).toEqual([]);
    const err = events(dataDir, name, 'net.error');
    expect(err[0]).toMatchObject({ host: '127.0.0.1', port: closed, error: 'ECONNREFUSED', rule: `allow net 127.0.0.1:${closed}`, line: 4 });
    expect(events(dataDir, name, 'alert')).toEqual([]);
  });

  it('probing a loopback service that no rule names is refused, raises private-probe and pauses the agent', async () => {
    hits = { allowed: 0, other: 0 };
    const { dataDir, file, name } = setup((a) => `name: ${a}\nnetwork: on\nrules: |\n  allow net *\ncommand: [sh, -c, "${curl(`http://127.0.0.1:${port(other)}/`)} || echo REFUSED; sleep 30"]\n`);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    await waitFor(() => events(dataDir, name, 'alert').find((e) => e.type === 'private-probe'), 20_000);
    await waitFor(() => /"state":"paused"/.test(paddock(['--data-dir', dataDir, 'ps', '--json']).stdout), 10_000);
    // (the agent is frozen right after the refusal, so it may not even print it: the log tells)
    expect(events(dataDir, name, 'net.deny')[0]).toMatchObject({ host: '127.0.0.1', port: port(other) });
    expect(hits.other).toBe(0);
    expect(events(dataDir, name, 'agent.pause')).toHaveLength(1);
    expect(paddock(['--data-dir', dataDir, 'kill', name]).code).toBe(0);
    expect(await run.exit).toBe(137);
  });

  it('nothing but the proxy has a route: --noproxy, raw TCP and DNS fail inside', async () => {
    const { dataDir, file } = setup(
      (a) =>
        `name: ${a}\nnetwork: on\nrules: |\n  allow net *\ncommand: [sh, -c, "curl -sS --max-time 5 --noproxy '*' http://127.0.0.1:${port(allowed)}/ && echo DIRECT; (exec 3<>/dev/tcp/127.0.0.1/${port(allowed)}) 2>/dev/null && echo RAW; getent hosts example.com && echo DNS; echo end"]\n`,
    );
    const r = await paddockP(['--data-dir', dataDir, 'run', file]);
    expect(r.stdout).toContain('end');
    expect(r.stdout).not.toMatch(/DIRECT|RAW|DNS/);
  });

  it('ask net: the request waits, approve lets it through; --always is remembered, also after a restart', async () => {
    const { dataDir, file, name } = setup(
      (a) => `name: ${a}\nnetwork: on\napprovals: { timeout: 60 }\nrules: |\n  ask net 127.0.0.1:*\ncommand: [sh, -c, "${curl(`http://127.0.0.1:${port(allowed)}/a`)}; ${curl(`http://127.0.0.1:${port(allowed)}/b`)}"]\n`,
    );
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const [ask] = await waitFor(() => (pending(dataDir).length ? pending(dataDir) : null), 20_000);
    expect(ask).toMatchObject({ agent: name, kind: 'net', target: `127.0.0.1:${port(allowed)}` });
    const approved = paddock(['--data-dir', dataDir, 'approve', ask!.id, '--always']);
    expect(approved.code).toBe(0);
    // The host added the rule, and the CLI names it (the line reflects the answer applied: see attack-pass-asks).
    expect(approved.stdout).toBe(`approved ${ask!.id} (and remembered as the rule "allow net 127.0.0.1:${port(allowed)}")\n`);
    expect(await run.exit).toBe(0);
    expect(run.out().match(/hello from allowed/g)?.length).toBe(2); // the second request was not asked
    const req = events(dataDir, name, 'approval.request');
    expect(req).toHaveLength(1);
    expect(String(req[0]!.id)).toBe(ask!.id);
    // PRODUCT.md "Events": `approval` is the id `paddock approvals` shows, on the request and on the answer.
    expect(req[0]).toMatchObject({ approval: ask!.id });
    expect(events(dataDir, name, 'approval.answer')[0]).toMatchObject({ approval: ask!.id, answer: 'always' });
    expect(events(dataDir, name, 'rule.change').some((e) => e.rule === `allow net 127.0.0.1:${port(allowed)}`)).toBe(true);
    // A new host (a fresh engine): the remembered answer still lets it through without asking.
    const again = await paddockP(['--data-dir', dataDir, 'run', file], { timeout: 30_000 });
    expect(again.code).toBe(0);
    expect(events(dataDir, name, 'approval.request')).toHaveLength(1);
  });

  it('deny answers refuse the request; paddock deny of an unknown id is an error', async () => {
    const { dataDir, file, name } = setup((a) => `name: ${a}\nnetwork: on\nrules: |\n  ask net 127.0.0.1:*\ncommand: [sh, -c, "${curl(`http://127.0.0.1:${port(allowed)}/`)} || echo REFUSED"]\n`);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const [ask] = await waitFor(() => (pending(dataDir).length ? pending(dataDir) : null), 20_000);
    // Listings read by eye through a pipe carry their header row (issue 15); --no-header leaves it out.
    expect(paddock(['--data-dir', dataDir, 'approvals']).stdout).toMatch(new RegExp(`^ID\\s+AGENT\\s+KIND\\s+TARGET\\s+EXPIRES\\s+DETAIL\\n${ask!.id}\\s+${name}\\s`));
    expect(paddock(['--data-dir', dataDir, 'approvals', '--no-header']).stdout).toMatch(new RegExp(`^${ask!.id}\\s`));
    expect(paddock(['--data-dir', dataDir, 'ps']).stdout).toMatch(new RegExp(`^NAME\\s+RUN\\s+STATE\\s+PIDS\\s+CPU\\s+MEM\\s+UPTIME\\n${name}\\s`));
    expect(paddock(['--data-dir', dataDir, 'ps', '--no-header']).stdout).toMatch(new RegExp(`^${name}\\s`));
    expect(paddock(['--data-dir', dataDir, 'deny', 'nope-123']).code).toBe(125);
    expect(paddock(['--data-dir', dataDir, 'deny', ask!.id]).code).toBe(0);
    await run.exit;
    expect(run.out()).toContain('REFUSED');
    expect(events(dataDir, name, 'approval.request')[0]).toMatchObject({ approval: ask!.id });
    expect(events(dataDir, name, 'approval.answer')[0]).toMatchObject({ approval: ask!.id, answer: 'deny' });
  });

  it('network off: no proxy variables, no route, but paddock-ask reaches the user', async () => {
    const { dataDir, file, name } = setup((a) => `name: ${a}\nnetwork: off\ncommand: [sh, -c, "env | grep -ci proxy; paddock-ask send-email 'to boss' && echo APPROVED || echo DENIED"]\n`);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const [ask] = await waitFor(() => (pending(dataDir).length ? pending(dataDir) : null), 20_000);
    expect(ask).toMatchObject({ agent: name, kind: 'action', target: 'send-email' });
    expect(paddock(['--data-dir', dataDir, 'approve', ask!.id]).code).toBe(0);
    await run.exit;
    expect(run.out()).toMatch(/^0\n/);
    expect(run.out()).toContain('APPROVED');
    expect(events(dataDir, name, 'approval.request')[0]).toMatchObject({ approval: ask!.id, target: 'send-email' });
    expect(events(dataDir, name, 'approval.answer')[0]).toMatchObject({ approval: ask!.id, answer: 'once' });
  });
});

describe('secrets reach the agent the way the profile says', () => {
  const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'correct horse battery staple' };
  it('env and file secrets are delivered; the file is 0400; a secret without a value stops the run (125)', () => {
    const { dataDir, file, name } = setup(
      (a) =>
        `name: ${a}\nsecrets:\n  - { name: API_TOKEN, as: env }\n  - { name: KUBECONFIG, as: file }\ncommand: [sh, -c, "echo token=$API_TOKEN; cat ~/.secrets/KUBECONFIG; echo; stat -c %a ~/.secrets/KUBECONFIG"]\n`,
    );
    expect(paddock(['--data-dir', dataDir, 'run', file], { env }).code).toBe(125);
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', name, 'API_TOKEN'], { input: 's3cr3t-env-value\n', env }).code).toBe(0);
    const missing = paddock(['--data-dir', dataDir, 'run', file], { env });
    expect(missing.code).toBe(125);
    expect(missing.stderr).toMatch(/KUBECONFIG/);
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', name, 'KUBECONFIG'], { input: 'kube-file-value', env }).code).toBe(0);
    const r = paddock(['--data-dir', dataDir, 'run', file], { env });
    expect(r.stderr).not.toMatch(/paddock: /);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('token=s3cr3t-env-value');
    expect(r.stdout).toContain('kube-file-value');
    expect(r.stdout).toMatch(/^400$/m);
    const uses = events(dataDir, name, 'secret.use');
    expect(uses.map((u) => u.name).sort()).toEqual(['API_TOKEN', 'KUBECONFIG']);
    // Each use names the run it was delivered to (it was null: a use could not be tied to its run).
    const started = events(dataDir, name, 'run.start').at(-1)!;
    expect(started.run).toEqual(expect.any(String));
    expect(uses.map((u) => u.run)).toEqual([started.run, started.run]);
    expect(JSON.stringify(uses)).not.toContain('s3cr3t');
    // Neither value is anywhere on the host's disk under the data dir (db, WAL, the agent's home).
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.isFile() ? [join(d, e.name)] : []));
    for (const f of walk(dataDir)) {
      const bytes = readFileSync(f);
      expect(bytes.includes(Buffer.from('s3cr3t-env-value')), f).toBe(false);
      expect(bytes.includes(Buffer.from('kube-file-value')), f).toBe(false);
    }
  });
});
