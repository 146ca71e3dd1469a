/**
 * Attack pass G (black box), the emergency stop and a run still starting: while an agent's start
 * waited (here for the user to answer `ask secret`; also a long copy of a folder), `paddock kill
 * NAME` answered "not running" (exit 125) and `kill --all` said "killed all agents" but passed it
 * over: once the ask was answered the agent started, after the user had hit the emergency stop. A
 * kill or stop of a starting run now cancels it (its asks are denied; it never runs), and is logged.
 * Likewise `pause` (and the tray's pause all) passed a starting run over: it is now paused as soon as
 * it has started.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, startServe, waitFor } from '../helpers/cli.js';
import { agentDirs, events, psAsync, suite } from './helpers.js';

const s = suite('atkg-kst');
const dataDir = join(s.dir, 'data');
const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'attack pass g kill starting passphrase' };
let host: Awaited<ReturnType<typeof startServe>>;
beforeAll(async () => {
  host = await startServe(dataDir, env);
}, 30_000);
afterAll(async () => {
  await host.stop();
  s.cleanup();
});

const approvals = (): { id: string; agent: string; kind: string }[] =>
  paddock(['--data-dir', dataDir, 'approvals', '--json'], { env }).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; agent: string; kind: string });

/** A guest run of an agent whose start waits for the user to let its secret through. */
async function startWaiting(): Promise<{ name: string; marker: string; guest: ReturnType<typeof paddockAsync> }> {
  const { file, name } = s.setup((n) => ({
    name: n,
    rules: 'ask secret TOK\n',
    secrets: [{ name: 'TOK', as: 'env' }],
    command: ['sh', '-c', 'sleep 1; touch started; sleep 5'],
  }), dataDir);
  expect(paddock(['--data-dir', dataDir, 'secret', 'set', name, 'TOK'], { input: 'tok-value-12345\n', env }).code).toBe(0);
  const guest = paddockAsync(['--data-dir', dataDir, 'run', file], { env });
  await waitFor(async () => (await psAsync(dataDir)).some((r) => r.agent === name && r.state === 'starting') && approvals().some((a) => a.agent === name), 30_000);
  return { name, marker: join(agentDirs(dataDir, name).workspace, 'started'), guest };
}

describe('kill and stop of a run that is still starting', { timeout: 120_000 }, () => {
  for (const how of ['kill NAME', 'kill --all', 'stop NAME'] as const) {
    it(`${how} cancels it: it never starts, its ask is gone, the kill is logged`, async () => {
      const { name, marker, guest } = await startWaiting();
      const args = how === 'kill --all' ? ['kill', '--all'] : [how.split(' ')[0]!, name];
      const k = paddock(['--data-dir', dataDir, ...args], { env });
      expect(k.code, k.stderr).toBe(0);
      expect(await guest.exit).toBe(125);
      expect(guest.err()).toContain('was not started');
      // Attack pass H (cosmetic): `stop` said "stopped while starting while it was starting".
      expect(guest.err()).toContain(how === 'stop NAME' ? 'was not started: stopped by the user while it was starting' : 'was not started: killed by the user while it was starting');
      expect(approvals().filter((a) => a.agent === name)).toEqual([]);
      expect((await psAsync(dataDir)).some((r) => r.agent === name)).toBe(false);
      expect(existsSync(marker)).toBe(false);
      expect(events(dataDir, name, 'agent.kill')).toHaveLength(1);
      expect(events(dataDir, name, 'run.start')).toHaveLength(0);
    });
  }

  it('pause NAME holds it: once the ask is answered it starts paused, and resumes on resume', async () => {
    const { name, marker, guest } = await startWaiting();
    expect(paddock(['--data-dir', dataDir, 'pause', name], { env }).code).toBe(0);
    const ask = approvals().find((a) => a.agent === name)!;
    expect(paddock(['--data-dir', dataDir, 'approve', ask.id], { env }).code).toBe(0);
    await waitFor(async () => (await psAsync(dataDir)).some((r) => r.agent === name && r.state === 'paused'), 30_000);
    expect(events(dataDir, name, 'agent.pause')).toHaveLength(1);
    expect(existsSync(marker)).toBe(false); // frozen within its first second
    expect(paddock(['--data-dir', dataDir, 'resume', name], { env }).code).toBe(0);
    await waitFor(() => existsSync(marker), 30_000);
    expect(paddock(['--data-dir', dataDir, 'kill', name], { env }).code).toBe(0);
    expect(await guest.exit).toBe(137);
  });

  it('answering the ask starts it (control)', async () => {
    const { name, marker, guest } = await startWaiting();
    const ask = approvals().find((a) => a.agent === name)!;
    expect(paddock(['--data-dir', dataDir, 'approve', ask.id], { env }).code).toBe(0);
    await waitFor(() => existsSync(marker), 30_000);
    expect(paddock(['--data-dir', dataDir, 'kill', name], { env }).code).toBe(0);
    expect(await guest.exit).toBe(137);
  });
});
