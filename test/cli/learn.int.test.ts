/**
 * Learning mode end to end (issue 18 part 1), real sandboxes, loopback only: an agent learning
 * reaches two test servers on the host's loopback through host.paddock.internal (refused and
 * recorded: learning never opens the user's computer), the proposal names exactly the two rules
 * needed, and once accepted a second run (learning off) reaches both with no ask and no deny.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, paddockP, tempDir, waitFor } from '../helpers/cli.js';

const tmp = tempDir('paddock-learn-');
const servers: Server[] = [];
const H = 'host.paddock.internal';

function serve(tag: string): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer((_req, res) => res.end(`hello ${tag}\n`));
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
  });
}

let p1 = 0;
let p2 = 0;
beforeAll(async () => {
  p1 = await serve('one');
  p2 = await serve('two');
});
afterAll(() => {
  for (const s of servers) s.close();
  tmp.cleanup();
});

function events(dataDir: string, agent: string, kind: string): Record<string, unknown>[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, ...(kind ? ['--kind', kind] : []), '--json', '--limit', '10000']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const curl = (p: number, tag: string): string => `curl -fsS --max-time 20 http://${H}:${p}/ && echo OK-${tag} || echo FAIL-${tag}`;

describe('paddock learn', () => {
  it('learns the two host.paddock.internal ports, proposes exactly their rules, and the accepted profile runs without asks or denials', async () => {
    const name = 'learner';
    const dataDir = join(tmp.dir, 'data');
    const file = join(tmp.dir, 'learner.yaml');
    const ws = join(dataDir, 'agents', name, 'workspace');
    // The agent waits for `done` in its workspace so the test can look at ps and turn learning off live.
    const cmd = `${curl(p1, '1')}; ${curl(p2, '2')}; while [ ! -f done ]; do sleep 0.05; done`;
    writeFileSync(file, `name: ${name}\nnetwork: on\napprovals: { timeout: 5 }\nrules: |\n  ask net *\ncommand: [sh, -c, ${JSON.stringify(cmd)}]\n`);
    expect((await paddockP(['--data-dir', dataDir, 'run', file, '--', 'true'])).code).toBe(0);

    // No host running: the switch is stored.
    const on = paddock(['--data-dir', dataDir, 'learn', name, 'on']);
    expect(on.stdout).toContain(`learning on for ${name}`);

    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    await waitFor(() => run.out().includes('FAIL-2') || run.out().includes('OK-2'), 60_000);
    expect(run.out()).toContain('FAIL-1');
    expect(run.out()).toContain('FAIL-2');
    // ps: the line format is unchanged; the learning agent is named on stderr and in --json.
    const ps = paddock(['--data-dir', dataDir, 'ps', '--no-header']);
    expect(ps.stdout.trim().split(/\s+/)).toHaveLength(7);
    expect(ps.stderr).toContain(`learning mode: ${name}`);
    expect(JSON.parse(paddock(['--data-dir', dataDir, 'ps', '--json']).stdout)).toMatchObject({ agent: name, learning: true });

    // Turning it off through the running host prints the proposal and how to apply it.
    const off = paddock(['--data-dir', dataDir, 'learn', name, 'off']);
    expect(off.code).toBe(0);
    expect(off.stdout).toContain(`+  allow net ${H}:${p1}`);
    expect(off.stdout).toContain(`+  allow net ${H}:${p2}`);
    expect(off.stdout).toContain('+  # was denied while learning; allow only if you expect it');
    expect(off.stdout).toContain(`paddock learn ${name} --apply`);
    expect(off.stdout).toContain('what the learner cannot see');
    expect(readFileSync(file, 'utf8')).not.toContain('allow net'); // never applied by itself
    writeFileSync(join(ws, 'done'), '');
    expect(await run.exit).toBe(0);

    // No host: the same proposal from the store; exactly the two rules, both marked as denied.
    const json = JSON.parse(paddock(['--data-dir', dataDir, 'learn', name, '--suggest', '--json']).stdout) as { proposal: { rules: { rule: string; denied: boolean }[] } };
    const [lo, hi] = [p1, p2].sort((a, b) => a - b);
    expect(json.proposal.rules).toEqual([
      { rule: `allow net ${H}:${lo}`, from: [`${H}:${lo}`], denied: true },
      { rule: `allow net ${H}:${hi}`, from: [`${H}:${hi}`], denied: true },
    ]);

    const apply = paddock(['--data-dir', dataDir, 'learn', name, '--apply']);
    expect(apply.stdout).toContain(`added 2 rules to ${name}'s profile and to ${file}`);
    expect(readFileSync(file, 'utf8')).toContain(`  allow net ${H}:${lo}\n  allow net ${H}:${hi}\n`);
    const changes = events(dataDir, name, 'rule.change').filter((e) => e.source === 'learning' && e.change === 'add');
    expect(changes).toHaveLength(2);
    expect(changes.map((e) => e.rule)).toEqual(expect.arrayContaining([`allow net ${H}:${lo}`, `allow net ${H}:${hi}`]));
    expect(paddock(['--data-dir', dataDir, 'learn', name]).stdout).toContain('learning off');

    // The second run, learning off, with the accepted profile: both answer, no ask, no deny.
    const last = Math.max(...events(dataDir, name, '').map((e) => e.id as number));
    if (!existsSync(join(ws, 'done'))) writeFileSync(join(ws, 'done'), '');
    const second = await paddockP(['--data-dir', dataDir, 'run', file]);
    expect(second.stdout).toContain('OK-1');
    expect(second.stdout).toContain('OK-2');
    expect(second.stdout).toContain('hello one');
    expect(second.stdout).toContain('hello two');
    const after = (k: string) => events(dataDir, name, k).filter((e) => (e.id as number) > last);
    expect(after('net.deny')).toEqual([]);
    expect(after('net.ask')).toEqual([]);
    expect(after('approval.request')).toEqual([]);
    expect(after('net.allow').map((e) => e.port).sort()).toEqual([p1, p2].sort());
  });

  it('refuses a bad switch, and --apply with no learning period says what to do', async () => {
    const dataDir = join(tmp.dir, 'data2');
    const file = join(tmp.dir, 'plain.yaml');
    writeFileSync(file, 'name: plain\ncommand: [sh, -c, "true"]\n');
    expect((await paddockP(['--data-dir', dataDir, 'run', file])).code).toBe(0);
    expect(paddock(['--data-dir', dataDir, 'learn', 'plain', 'maybe']).code).toBe(2);
    const r = paddock(['--data-dir', dataDir, 'learn', 'plain', '--apply']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('paddock learn plain on');
  });
});
