import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../../src/core/api/handlers.js';
import { dispatch } from '../../helpers/api.js';
import { paddockOver } from '../../../src/core/commands/compose.js';
import { createEngine } from '../../../src/core/engine.js';
import { quarantine } from '../../../src/core/runs/quarantine.js';

const dir = mkdtempSync(join(tmpdir(), 'paddock-api-'));
const engine = await createEngine({ dataDir: dir });
const h = createApiHandlers(paddockOver(engine), { version: '9.9.9' });
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('API handlers over a real engine', () => {
  it('agents:check reports a rule typo at its profile line and the gap report once valid', async () => {
    const bad = await h['agents:check']({ yaml: 'name: a\nrules: |\n  allow net x.test\n  alow net y.test\n' });
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics).toMatchObject([{ line: 4, col: 3 }]);
    const good = await h['agents:check']({ yaml: 'name: a\nnetwork: on\nrules: |\n  ask net *\n  dont "buy anything"\n' });
    expect(good.ok).toBe(true);
    expect(good.gaps.length).toBeGreaterThan(0);
    expect(good.instructions).toContain('buy anything');
  });

  it('saves, lists, gets and deletes agents; unknown ones are E_NOT_FOUND', async () => {
    const a = await h['agents:save']({ yaml: 'name: alpha\n' });
    expect(a.name).toBe('alpha');
    expect((await h['agents:list'](undefined)).map((x) => x.name)).toEqual(['alpha']);
    await expect(h['agents:get']({ name: 'nobody' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(h['agents:save']({ yaml: 'name: Bad Name\n' })).rejects.toMatchObject({ code: 'E_PROFILE_INVALID' });
    await h['agents:delete']({ name: 'alpha' });
    expect(await h['agents:list'](undefined)).toEqual([]);
  });

  it("agents:installHook puts the Claude Code hook in the agent's home, once (issue 16 item 7)", { timeout: 30_000 }, async () => {
    await h['agents:save']({ yaml: 'name: hooky\n' });
    expect(await h['agents:installHook']({ name: 'hooky', kind: 'claude-code' })).toEqual({ changed: true, backedUp: false });
    const settings = readFileSync(join(dir, 'agents', 'hooky', 'home', '.claude', 'settings.json'), 'utf8');
    expect(settings).toContain('node ~/.claude/paddock-hook.mjs');
    expect(settings).toContain('"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"');
    expect(existsSync(join(dir, 'agents', 'hooky', 'home', '.claude', 'paddock-hook.mjs'))).toBe(true);
    expect(await h['agents:installHook']({ name: 'hooky', kind: 'claude-code' })).toEqual({ changed: false, backedUp: false });
    await expect(h['agents:installHook']({ name: 'nobody', kind: 'claude-code' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await h['agents:delete']({ name: 'hooky' });
  });

  it('the network switch is logged; all offline is one global switch', async () => {
    await h['agents:save']({ yaml: 'name: beta\nnetwork: on\n' });
    await h['net:set']({ name: 'beta', on: false });
    // One source of truth (issue 15): the profile itself says off, so YAML, Export and the gap report agree.
    expect(engine.agent('beta').profile.network).toBe('off');
    expect(engine.store.agents.get('beta')?.profile).toBe('name: beta\nnetwork: off\n');
    const ev = await h['activity:query']({ agent: 'beta', kind: 'rule.change' });
    expect(ev[0]).toMatchObject({ kind: 'rule.change', rule: 'network off' });
    await h['net:setAllOffline']({ offline: true });
    expect(engine.egress.allOffline).toBe(true);
    const all = await h['activity:query']({ kind: 'rule.change' });
    expect(all[0]).toMatchObject({ kind: 'rule.change', agent: null, rule: 'all agents offline' });
    await h['net:setAllOffline']({ offline: false });
    expect(engine.egress.allOffline).toBe(false);
    expect((await h['activity:verify'](undefined)).ok).toBe(true);
  });

  it('never returns secret values; a late answer to an approval is refused', async () => {
    const metas = await h['vault:list']({ agent: 'beta' });
    expect(JSON.stringify(metas)).not.toMatch(/ciphertext|value/);
    await expect(h['approvals:answer']({ id: 'nope', answer: 'once' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    // A real ask through the engine's queue: the waiting request gets the answer.
    const outcome = engine.approvals.request({ agent: 'beta', kind: 'action', target: 'send-email', detail: 'to boss', rule: 'ask action send-email' });
    const [ask] = await h['approvals:list'](undefined);
    expect(ask).toMatchObject({ agent: 'beta', kind: 'action', target: 'send-email' });
    await h['approvals:answer']({ id: ask!.id, answer: 'deny' });
    expect(await outcome).toBe('deny');
    await expect(h['approvals:answer']({ id: ask!.id, answer: 'once' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  // Issue 13 (low, attack pass B) / issue 14: the answer returns what was applied, so no host claims a rule it did not add.
  it('approvals:answer returns the answer applied: an "always" no narrow rule can name counts once; a narrow one is remembered (control)', async () => {
    const star = engine.approvals.request({ agent: 'beta', kind: 'action', target: '*', detail: 'agent-chosen wildcard', rule: 'ask action *' });
    const [a1] = await h['approvals:list'](undefined);
    expect(await h['approvals:answer']({ id: a1!.id, answer: 'always' })).toEqual({ answer: 'always', applied: 'once' });
    expect(await star).toBe('once');
    const narrow = engine.approvals.request({ agent: 'beta', kind: 'action', target: 'send-report', detail: '', rule: 'ask action *' });
    const [a2] = await h['approvals:list'](undefined);
    expect(await h['approvals:answer']({ id: a2!.id, answer: 'always' })).toEqual({ answer: 'always', applied: 'always', rule: 'allow action send-report' });
    expect(await narrow).toBe('always');
    expect((await h['answers:list']({ name: 'beta' })).map((r) => r.rule)).toContain('allow action send-report');
  });

  it('an answer to an ask that is not pending reads the same on every surface (app, console, CLI)', async () => {
    const said = await Promise.all(
      (['app', 'console', 'cli'] as const).map((surface) => dispatch(createApiHandlers(paddockOver(engine), { version: 'x', surface }), 'approvals:answer', { id: '424242', answer: 'once' })),
    );
    expect(new Set(said.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(said[0]).toEqual({ ok: false, error: { code: 'E_NOT_FOUND', message: 'approval 424242 is not pending (already answered, timed out, or never asked); the pending ones are under Approvals in the app and in paddock approvals' } });
  });

  it('quarantine: lists what was moved after a run, restores an item where it was (logged), refuses when the path is taken', async () => {
    const repo = join(dir, 'folder', 'sub', '.git');
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, 'config'), '[core]\n\tfsmonitor = /x\n');
    const q = quarantine(dir, { agent: 'beta', run: 'r-1', path: repo, reasons: ['config: core.fsmonitor'] });
    expect(existsSync(repo)).toBe(false);
    expect(await h['quarantine:list'](undefined)).toEqual([q]);
    mkdirSync(repo);
    await expect(h['quarantine:restore']({ id: q.id })).rejects.toMatchObject({ code: 'E_EXISTS' });
    rmSync(repo, { recursive: true });
    expect(await h['quarantine:restore']({ id: q.id })).toEqual(q);
    expect(readFileSync(join(repo, 'config'), 'utf8')).toContain('fsmonitor');
    expect(await h['quarantine:list'](undefined)).toEqual([]);
    expect((await h['activity:query']({ kind: 'fs.change' }))[0]).toMatchObject({ agent: 'beta', path: repo, change: 'quarantine-restored', quarantine: q.id });
    await expect(h['quarantine:restore']({ id: q.id })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('dispatch validates input and wraps errors in the envelope', async () => {
    expect(await dispatch(h, 'agents:get', { name: 'x'.repeat(200) })).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
    expect(await dispatch(h, 'toString', undefined)).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
    expect(await dispatch(h, 'system:info', undefined)).toMatchObject({ ok: true, value: { version: '9.9.9', dataDir: dir } });
  });
});
