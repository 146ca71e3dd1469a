import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../../src/core/api/handlers.js';
import { dispatch } from '../../helpers/api.js';
import { paddockOver } from '../../../src/core/commands/compose.js';
import { createEngine } from '../../../src/core/engine.js';

// Issue 15 items 8 and 9 at the API: remembered answers with who answered, revocation, and the
// vault's state read without unlocking anything.
const dir = mkdtempSync(join(tmpdir(), 'paddock-api-va-'));
const engine = await createEngine({ dataDir: dir, env: {} });
let probes = 0;
const h = createApiHandlers(paddockOver(engine), { version: '9.9.9', surface: 'console', keychainProbe: () => (probes++, { ok: false, message: 'no OS keychain is available (test); agents without secrets are unaffected', fix: 'x' }) });
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('answers:list / answers:revoke', () => {
  it('lists a remembered answer with when and where; revoking forgets it, logs a rule.change and stops covering the ask', async () => {
    await h['agents:save']({ yaml: 'name: asker\nnetwork: on\nrules: |\n  ask net *\n' });
    const ask = engine.answers.gate(engine.approvals).request({ agent: 'asker', kind: 'net', target: 'api.example.com:443', detail: '', rule: 'ask net *', timeoutMs: 60_000 });
    const [pending] = await h['approvals:list'](undefined);
    await h['approvals:answer']({ id: pending!.id, answer: 'always' });
    expect(await ask).toBe('always');
    const list = await h['answers:list']({ name: 'asker' });
    expect(list).toEqual([{ rule: 'allow net api.example.com:443', created: expect.stringMatching(/^\d{4}-/), by: 'console' }]);
    expect(engine.answers.covers({ agent: 'asker', kind: 'net', target: 'api.example.com:443' })).toBe(true);
    await h['answers:revoke']({ name: 'asker', rule: 'allow net api.example.com:443' });
    expect(await h['answers:list']({ name: 'asker' })).toEqual([]);
    expect(engine.answers.covers({ agent: 'asker', kind: 'net', target: 'api.example.com:443' })).toBe(false);
    const ev = await h['activity:query']({ agent: 'asker', kind: 'rule.change' });
    expect(ev[0]).toMatchObject({ rule: 'allow net api.example.com:443', change: 'remove', source: 'approval' });
    const again = await dispatch(h, 'answers:revoke', { name: 'asker', rule: 'allow net api.example.com:443' });
    expect(again).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
  });
});

describe('vault:status / vault:declare', () => {
  it('reads the state without creating a vault; declare writes the delivery into the profile and the value into the vault', async () => {
    expect(await h['vault:status'](undefined)).toMatchObject({ mode: 'unavailable', fix: expect.stringContaining('passphrase') });
    expect(probes).toBeGreaterThan(0);
    // Threat: a status check creating or unlocking the vault (a keychain prompt for an agent without secrets).
    expect(engine.vault.status()).toEqual({ backend: null, unlocked: false });
    await h['agents:save']({ yaml: 'name: keyed # mine\n' });
    await h['vault:declare']({ agent: 'keyed', name: 'TOKEN', delivery: { as: 'env' }, value: 'v' });
    expect(engine.store.agents.get('keyed')?.profile).toBe('name: keyed # mine\nsecrets:\n  - name: TOKEN\n    as: env\n');
    expect((await h['vault:list']({ agent: 'keyed' })).map((s) => s.name)).toEqual(['TOKEN']);
    expect(await h['vault:status'](undefined)).toMatchObject({ mode: 'keychain' });
  });

  it('refuses a header template that could split headers', async () => {
    const r = await dispatch(h, 'vault:declare', { agent: 'keyed', name: 'T', delivery: { as: 'header', hosts: ['a.test'], header: 'X: {}\r\nEvil: 1' }, value: 'v' });
    expect(r).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
  });
});
