/**
 * Attack pass H (black box), a secret's value in the log through a quarantine restore: the agent
 * plants a hook in a repository named after its `env` secret (`r-$TOKEN/.git`). The run's events and
 * the `git-plant` alert show `[secret TOKEN]`, but `paddock quarantine restore` logged the path in
 * clear (`fs.change` `quarantine-restored`): the restore runs with no host, or in a host that never ran
 * the agent, which holds no masks for its secrets, and the log is append-only. The restore event now
 * takes the path its alert logged. Likewise a run whose host died (SIGKILL) is checked at the agent's
 * next start, before that run's secrets were known: its `git-plant` alert logged the path in clear;
 * it is now logged once they are.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startConsole } from '../e2e/console-helpers.js';
import { paddock, paddockAsync, waitFor } from '../helpers/cli.js';
import { agentDirs, events, psAsync, suite } from './helpers.js';

const s = suite('atkh-qs');
afterAll(() => s.cleanup());
const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'attack pass h quarantine secret passphrase' };

describe('a quarantine restore of a path holding a secret', { timeout: 120_000 }, () => {
  it('logs [secret NAME], with no host and through a host; a plain path is logged as it is (control)', async () => {
    const token = 'tokH8-Rq5nVy2Kc7Mx3W';
    const plant = [
      'mkdir /tmp/b && cd /tmp/b && for r in "r-$TOKEN" "s-$TOKEN" plain; do git init -q "$r" && printf "#!/bin/sh\\necho planted\\n" > "$r/.git/hooks/pre-commit" && chmod +x "$r/.git/hooks/pre-commit"; done',
      // All three arrive in one rename: the first plant pauses the agent, and a pause between
      // separate moves (a loaded machine) left the others outside the workspace.
      'mv /tmp/b "$OLDPWD"/b',
      'sleep 60',
    ].join('; ');
    const { dataDir, file, name } = s.setup((n) => ({ name: n, secrets: [{ name: 'TOKEN', as: 'env' }], command: ['bash', '-c', plant] }));
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', name, 'TOKEN'], { input: `${token}\n`, env }).code).toBe(0);
    const ws = join(agentDirs(dataDir, name).workspace, 'b');
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { env });
    await waitFor(async () => (await psAsync(dataDir)).some((r) => r.agent === name && r.state === 'paused'), 30_000);
    expect(paddock(['--data-dir', dataDir, 'kill', name]).code).toBe(0);
    expect(await run.exit).toBe(137);
    const items = paddock(['--data-dir', dataDir, 'quarantine', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; path: string });
    const r = items.find((i) => i.path === join(ws, `r-${token}`, '.git'))!;
    const sIt = items.find((i) => i.path === join(ws, `s-${token}`, '.git'))!;
    const plain = items.find((i) => i.path === join(ws, 'plain', '.git'))!;
    expect(r && sIt && plain).toBeTruthy();
    // The run's own events were masked already.
    expect(JSON.stringify(events(dataDir, name))).not.toContain(token);

    // No host: the CLI restores and logs by itself.
    expect(paddock(['--data-dir', dataDir, 'quarantine', 'restore', r.id]).code).toBe(0);
    expect(paddock(['--data-dir', dataDir, 'quarantine', 'restore', plain.id]).code).toBe(0);
    // A host that never ran the agent (the console).
    const c = await startConsole(dataDir);
    try {
      const res = paddock(['--data-dir', dataDir, 'quarantine', 'restore', sIt.id]);
      expect(res.code, res.stderr).toBe(0);
    } finally {
      await c.stop();
    }
    expect(existsSync(join(ws, `r-${token}`, '.git', 'hooks', 'pre-commit'))).toBe(true);
    expect(existsSync(join(ws, `s-${token}`, '.git', 'hooks', 'pre-commit'))).toBe(true);

    const restored = events(dataDir, name, 'fs.change').filter((e) => e.change === 'quarantine-restored');
    expect(restored.map((e) => e.path).sort()).toEqual([join(ws, 'plain', '.git'), join(ws, 'r-[secret TOKEN]', '.git'), join(ws, 's-[secret TOKEN]', '.git')]);
    expect(JSON.stringify(events(dataDir, name))).not.toContain(token);
    expect(paddock(['--data-dir', dataDir, 'events', '--agent', name]).stdout).not.toContain(token);
    expect(paddock(['--data-dir', dataDir, 'log', 'verify']).code).toBe(0);
  });

  it('logs [secret NAME] in the alert of a run checked at the next start (its host was killed)', async () => {
    const token = 'tokH8-Kd4pWz8Nc1Qs6E';
    const plant = 'cd /tmp && git init -q "r-$TOKEN" && printf "#!/bin/sh\\necho planted\\n" > "r-$TOKEN/.git/hooks/pre-commit" && chmod +x "r-$TOKEN/.git/hooks/pre-commit" && mv "r-$TOKEN" "$OLDPWD"/; sleep 60';
    const { dataDir, file, name } = s.setup((n) => ({ name: n, secrets: [{ name: 'TOKEN', as: 'env' }], command: ['bash', '-c', plant] }));
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', name, 'TOKEN'], { input: `${token}\n`, env }).code).toBe(0);
    const ws = agentDirs(dataDir, name).workspace;
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { env });
    try {
      await waitFor(async () => (await psAsync(dataDir)).some((r) => r.agent === name && r.state === 'paused'), 30_000);
    } finally {
      run.child.kill('SIGKILL'); // the host dies before the run ends: nothing was moved yet
      await run.exit;
    }
    await waitFor(async () => !(await psAsync(dataDir)).some((r) => r.agent === name), 10_000);
    expect(existsSync(join(ws, `r-${token}`, '.git'))).toBe(true);
    const again = paddock(['--data-dir', dataDir, 'run', file, '--', 'true'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(ws, `r-${token}`, '.git'))).toBe(false); // quarantined at this start
    const alerts = events(dataDir, name, 'alert').filter((e) => e.type === 'git-plant' && typeof e.quarantine === 'string');
    expect(alerts.map((e) => e.path)).toEqual([join(ws, 'r-[secret TOKEN]', '.git')]);
    expect(JSON.stringify(events(dataDir, name))).not.toContain(token);
    expect(paddock(['--data-dir', dataDir, 'log', 'verify']).code).toBe(0);
  });
});
