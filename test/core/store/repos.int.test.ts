import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/core/store/index.js';
import { PaddockError } from '../../../src/shared/errors.js';
import { SecretMetaSchema } from '../../../src/shared/secret.schema.js';

let dir: string;
let store: Store;
let now: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paddock-repos-'));
  now = Date.UTC(2025, 5, 1, 12, 0, 0);
  store = openStore(join(dir, 'paddock.db'), { clock: () => new Date(now) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});
const later = (s: number): void => {
  now += s * 1000;
};
const secret = (agent: string, name: string, value = 'ct') => ({ agent, name, as: 'env' as const, hosts: [], ciphertext: Buffer.from(value), nonce: Buffer.alloc(12, 1) });

describe('agents', () => {
  it('upserts keeping created and the network override, lists by name, refuses bad names', () => {
    const a = store.agents.upsert({ name: 'zed', profile: 'name: zed\n', source: '/p/zed.yaml' });
    expect(a).toMatchObject({ name: 'zed', source: '/p/zed.yaml', network: null, created: a.updated });
    expect(store.agents.setNetwork('zed', 'on')).toBe(true);
    later(60);
    const b = store.agents.upsert({ name: 'zed', profile: 'name: zed\nnetwork: on\n' });
    expect(b).toMatchObject({ profile: 'name: zed\nnetwork: on\n', source: null, network: 'on', created: a.created });
    expect(b.updated > a.updated).toBe(true);
    store.agents.upsert({ name: 'alpha', profile: 'name: alpha\n' });
    expect(store.agents.list().map((x) => x.name)).toEqual(['alpha', 'zed']);
    expect(() => store.agents.upsert({ name: '../../etc', profile: '' })).toThrow(PaddockError);
    expect(store.agents.get('nobody')).toBeNull();
    expect(store.agents.setNetwork('nobody', 'on')).toBe(false);
  });

  it('delete removes the agent, its asks, secrets and key, but keeps its events', () => {
    for (const n of ['alpha', 'beta']) {
      store.agents.upsert({ name: n, profile: `name: ${n}\n` });
      store.secrets.setSecret(secret(n, 'TOKEN'));
      store.secrets.setAgentKey(n, Buffer.from('wrapped'));
      store.approvals.insert({ id: `ap-${n}`, agent: n, kind: 'net', target: 'x.test:443', detail: '', expires: '2025-06-01T12:01:00.000Z' });
      store.events.append({ kind: 'run.start', agent: n });
    }
    expect(store.agents.delete('alpha')).toBe(true);
    expect(store.agents.delete('alpha')).toBe(false);
    expect(store.agents.get('alpha')).toBeNull();
    expect(store.secrets.getSecret('alpha', 'TOKEN')).toBeNull();
    expect(store.secrets.getAgentKey('alpha')).toBeNull();
    expect(store.approvals.get('ap-alpha')).toBeNull();
    expect(store.events.query({ agent: 'alpha' })).toHaveLength(1);
    // The other agent is untouched.
    expect(store.secrets.getSecret('beta', 'TOKEN')).not.toBeNull();
    expect(store.approvals.listPending().map((p) => p.id)).toEqual(['ap-beta']);
  });
});

describe('approvals', () => {
  const ask = (id: string, expiresIn: number) => ({
    id,
    agent: 'alpha',
    kind: 'action' as const,
    target: 'send-email',
    detail: 'to boss',
    rule: 'ask action send-email',
    expires: new Date(now + expiresIn * 1000).toISOString(),
  });

  it('lists pending asks in the contract shape, answers each once only', () => {
    store.approvals.insert(ask('a1', 60));
    later(1);
    store.approvals.insert({ ...ask('a2', 60), agent: 'beta' });
    expect(store.approvals.listPending()).toEqual([
      { id: 'a1', agent: 'alpha', kind: 'action', target: 'send-email', detail: 'to boss', rule: 'ask action send-email', created: '2025-06-01T12:00:00.000Z', expires: '2025-06-01T12:01:00.000Z' },
      expect.objectContaining({ id: 'a2', agent: 'beta' }),
    ]);
    expect(store.approvals.listPending('beta').map((a) => a.id)).toEqual(['a2']);
    expect(store.approvals.answer('a1', 'once')).toBe(true);
    expect(store.approvals.answer('a1', 'always')).toBe(false);
    expect(store.approvals.get('a1')).toMatchObject({ state: 'answered', answer: 'once' });
    expect(store.approvals.answer('missing', 'deny')).toBe(false);
    expect(() => store.approvals.insert(ask('a2', 5))).toThrow(expect.objectContaining({ code: 'E_EXISTS' }));
  });

  it('expires due asks (never later answerable) and leaves the others pending', () => {
    store.approvals.insert(ask('soon', 10));
    store.approvals.insert(ask('late', 120));
    later(30);
    expect(store.approvals.expireDue().map((a) => a.id)).toEqual(['soon']);
    expect(store.approvals.answer('soon', 'always')).toBe(false);
    expect(store.approvals.get('soon')).toMatchObject({ state: 'expired', answer: null });
    expect(store.approvals.listPending().map((a) => a.id)).toEqual(['late']);
    expect(store.approvals.expire('late')).toBe(true);
    expect(store.approvals.expire('late')).toBe(false);
    expect(store.approvals.listPending()).toEqual([]);
  });

  it('compares deadlines as times even when given in another ISO form', () => {
    store.approvals.insert({ ...ask('tz', 0), expires: '2025-06-01T14:00:30+02:00' });
    later(20);
    expect(store.approvals.expireDue()).toEqual([]);
    later(20);
    expect(store.approvals.expireDue().map((a) => a.id)).toEqual(['tz']);
  });
});

describe('secrets', () => {
  it('stores ciphertext, lists metadata only, keeps created and counts uses', () => {
    store.secrets.setSecret({ ...secret('alpha', 'OPENAI_KEY', 'c1'), as: 'header', hosts: ['api.openai.com'] });
    store.secrets.setSecret(secret('alpha', 'GH'));
    store.secrets.setSecret(secret('beta', 'GH'));
    later(5);
    expect(store.secrets.recordUse('alpha', 'OPENAI_KEY')).toBe(true);
    expect(store.secrets.recordUse('alpha', 'NOPE')).toBe(false);
    later(5);
    store.secrets.setSecret({ ...secret('alpha', 'OPENAI_KEY', 'c2'), as: 'header', hosts: ['api.openai.com'] });
    const row = store.secrets.getSecret('alpha', 'OPENAI_KEY')!;
    expect(row.ciphertext.toString()).toBe('c2');
    expect(row).toMatchObject({ created: '2025-06-01T12:00:00.000Z', updated: '2025-06-01T12:00:10.000Z', lastUsed: '2025-06-01T12:00:05.000Z', useCount: 1 });
    const metas = store.secrets.listMeta('alpha');
    expect(metas.map((m) => m.name)).toEqual(['GH', 'OPENAI_KEY']);
    for (const m of metas) {
      expect(SecretMetaSchema.strict().safeParse(m).success).toBe(true);
      expect(JSON.stringify(m)).not.toMatch(/ciphertext|nonce/);
    }
    expect(metas[1]).toMatchObject({ as: 'header', hosts: ['api.openai.com'], useCount: 1 });
    expect(store.secrets.removeSecret('alpha', 'GH')).toBe(true);
    expect(store.secrets.removeSecret('alpha', 'GH')).toBe(false);
    expect(store.secrets.listMeta('beta')).toHaveLength(1);
  });

  it('keeps agent keys and vault metadata', () => {
    expect(store.secrets.getAgentKey('alpha')).toBeNull();
    store.secrets.setAgentKey('alpha', Buffer.from([1, 2, 3]));
    expect(store.secrets.getAgentKey('alpha')?.wrappedKey).toEqual(Buffer.from([1, 2, 3]));
    store.secrets.setAgentKey('alpha', Buffer.from([4]));
    expect(store.secrets.getAgentKey('alpha')?.wrappedKey).toEqual(Buffer.from([4]));
    expect(store.secrets.deleteAgentKey('alpha')).toBe(true);
    store.secrets.setMeta('salt', Buffer.from('s1'));
    store.secrets.setMeta('salt', Buffer.from('s2'));
    expect(store.secrets.getMeta('salt')?.toString()).toBe('s2');
    expect(store.secrets.deleteMeta('salt')).toBe(true);
    expect(store.secrets.getMeta('salt')).toBeNull();
  });
});

describe('transactions', () => {
  it('store.transaction writes all or nothing across repositories', () => {
    expect(() =>
      store.transaction(() => {
        store.agents.upsert({ name: 'alpha', profile: 'x' });
        store.events.append({ kind: 'rule.change', agent: 'alpha', rule: 'deny net x' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.agents.get('alpha')).toBeNull();
    expect(store.events.latestId()).toBe(0);
    store.transaction(() => {
      store.agents.upsert({ name: 'alpha', profile: 'x' });
      store.events.append({ kind: 'rule.change', agent: 'alpha', rule: 'deny net x' });
    });
    expect(store.events.verify()).toMatchObject({ ok: true, count: 1 });
  });
});
