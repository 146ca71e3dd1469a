import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, openStore, type Store } from '../../../src/core/store/index.js';
import { EventSchema, type NewEvent } from '../../../src/shared/events.schema.js';
import { PaddockError } from '../../../src/shared/errors.js';

let dir: string;
let file: string;
let store: Store;
let tick: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paddock-events-'));
  file = join(dir, 'paddock.db');
  tick = Date.UTC(2025, 0, 1);
  store = openStore(file, { clock: () => new Date((tick += 1000)) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const deny = (agent: string, host: string): NewEvent => ({ kind: 'net.deny', agent, host, port: 443, rule: `deny net ${host}`, line: 3, reason: 'matched' });
const exec = (agent: string, pid: number): NewEvent => ({ kind: 'proc.exec', agent, pid, argv: ['sh', '-c', 'true'] });

/** Opens the same file with a second, independent connection, as an attacker with file access would. */
function tamper(sql: string): void {
  const db = new Database(file);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

function fill(n: number): void {
  const batch: NewEvent[] = [];
  for (let i = 1; i <= n; i++) batch.push(i % 2 === 0 ? deny(i % 4 === 0 ? 'alpha' : 'beta', `h${i}.test`) : exec('alpha', i));
  store.events.appendMany(batch);
}

describe('appending', () => {
  it('assigns ids from 1 and timestamps from the clock, and returns the contract shape', () => {
    const e = store.events.append({ ...deny('alpha', 'evil.test'), run: 'r1' });
    expect(e).toEqual({ id: 1, ts: '2025-01-01T00:00:01.000Z', agent: 'alpha', kind: 'net.deny', run: 'r1', host: 'evil.test', port: 443, rule: 'deny net evil.test', line: 3, reason: 'matched' });
    expect(EventSchema.safeParse(e).success).toBe(true);
    const [a, b] = store.events.appendMany([exec('alpha', 7), { kind: 'alert', agent: null, type: 'store', message: 'm' }]);
    expect([a!.id, b!.id]).toEqual([2, 3]);
    expect(store.events.latestId()).toBe(3);
  });

  it('chains each hash to the previous one as documented (sha256(prev || canonical event))', () => {
    const e = store.events.append({ kind: 'alert', agent: null, type: 'x', message: 'hi', zeta: { b: 1, a: [1, 'two'] } });
    const canonical = `{"agent":null,"body":{"message":"hi","type":"x","zeta":{"a":[1,"two"],"b":1}},"id":1,"kind":"alert","run":null,"ts":"${e.ts}"}`;
    const expected = createHash('sha256').update(GENESIS_HASH + canonical).digest('hex');
    expect(store.events.head()).toEqual({ id: 1, hash: expected });
    // Stored as 32 bytes; the previous hash is not stored but is inside the next event's hash.
    const first = store.db.prepare('SELECT hash FROM events WHERE id = 1').get() as { hash: Buffer };
    expect(first.hash).toEqual(Buffer.from(expected, 'hex'));
    const second = store.events.append(exec('alpha', 1));
    const canonical2 = `{"agent":"alpha","body":{"argv":["sh","-c","true"],"pid":1},"id":2,"kind":"proc.exec","run":null,"ts":"${second.ts}"}`;
    expect(store.events.head()).toEqual({ id: 2, hash: createHash('sha256').update(expected + canonical2).digest('hex') });
    const columns = (store.db.prepare("SELECT name FROM pragma_table_info('events')").all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['id', 'ts', 'agent', 'kind', 'run', 'body', 'hash', 'seal']);
  });

  it('refuses unknown kinds, bad agent names and bad timestamps, writing nothing', () => {
    const bad: unknown[] = [
      { kind: 'net.hack', agent: 'alpha' },
      { kind: 'alert', agent: '../etc', type: 't', message: 'm' },
      { kind: 'alert', agent: 'alpha', ts: 'yesterday', type: 't', message: 'm' },
    ];
    for (const b of bad) expect(() => store.events.appendMany([exec('alpha', 1), b as NewEvent])).toThrow(PaddockError);
    expect(store.events.latestId()).toBe(0);
  });

  it('keeps the store-assigned id even when the event carries an id field', () => {
    store.events.append(exec('alpha', 1));
    const e = store.events.append({ kind: 'approval.request', agent: 'alpha', id: 999, approval: 'ap-1' });
    expect(e.id).toBe(2);
    expect(store.events.query({ kindPrefix: 'approval.' })[0]).toMatchObject({ id: 2, approval: 'ap-1' });
  });

  it('stores a __proto__ field as plain data without changing the event object prototype', () => {
    const e = store.events.append(JSON.parse('{"kind":"alert","agent":null,"type":"t","message":"m","__proto__":{"polluted":true}}') as NewEvent);
    const [back] = store.events.query({});
    for (const ev of [e, back!]) {
      expect(Object.getPrototypeOf(ev)).toBe(Object.prototype);
      expect((ev as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(ev)).toContain('__proto__');
    }
  });
});

describe('append-only and tamper evidence', () => {
  it('verify() is ok on an intact chain and on an empty log', () => {
    expect(store.events.verify()).toMatchObject({ ok: true, count: 0, firstBad: null });
    fill(50);
    expect(store.events.verify()).toMatchObject({ ok: true, count: 50, firstBad: null });
  });

  it('refuses UPDATE and DELETE of events through the store connection', () => {
    fill(3);
    expect(() => store.db.prepare(`UPDATE events SET body = '{}' WHERE id = 2`).run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM events WHERE id = 2').run()).toThrow(/append-only/);
    expect(store.events.verify().ok).toBe(true);
  });

  it('reports exactly the event whose body was edited in the file', () => {
    fill(20);
    tamper(`DROP TRIGGER events_no_update; UPDATE events SET body = replace(body, 'h8.test', 'h8.tost') WHERE id = 8;`);
    const v = store.events.verify();
    expect(v).toMatchObject({ ok: false, firstBad: 8, count: 7 });
    expect(v.message).toMatch(/^event 8: hash mismatch \(the event was modified/);
    expect(v.message).toMatch(/triggers were removed/);
  });

  it('reports an edited event whose hash was recomputed at the next event (broken link)', () => {
    fill(20);
    store.close();
    const db = new Database(file);
    db.exec('DROP TRIGGER events_no_update');
    db.prepare(`UPDATE events SET ts = '2030-01-01T00:00:00.000Z', hash = ? WHERE id = 5`).run(Buffer.alloc(32, 0xff));
    db.close();
    store = openStore(file);
    const v = store.events.verify();
    expect(v.firstBad).toBe(5);
    expect(v.message).toMatch(/^event 5: hash mismatch/);
  });

  it('reports a deleted middle event and a deleted first event', () => {
    fill(10);
    tamper('DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = 6;');
    const v = store.events.verify();
    expect(v).toMatchObject({ ok: false, firstBad: 6 });
    expect(v.message).toMatch(/^event 6: missing — the log jumps from event 5 to event 7/);
    tamper('DELETE FROM events WHERE id = 1;');
    expect(store.events.verify()).toMatchObject({ ok: false, firstBad: 1 });
  });

  it('reports a re-linked chain after a deletion when later ids were renumbered', () => {
    fill(10);
    tamper('DROP TRIGGER events_no_delete; DROP TRIGGER events_no_update; DELETE FROM events WHERE id = 4; UPDATE events SET id = id - 1 WHERE id > 4;');
    const v = store.events.verify();
    expect(v).toMatchObject({ ok: false, firstBad: 4 });
    expect(v.message).toMatch(/^event 4: hash mismatch \(.*one before it was changed or removed/);
  });

  it('reports a hash column rewritten in another form (hex text, 31 or 33 bytes), even holding the right value', () => {
    fill(6);
    const right = (store.db.prepare('SELECT hash FROM events WHERE id = 3').get() as { hash: Buffer }).hash;
    // The attacker rebuilds the table without STRICT and the length CHECK, keeping the triggers.
    tamper(`DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; ALTER TABLE events RENAME TO old_events;
      CREATE TABLE events (id INTEGER PRIMARY KEY, ts, agent, kind, run, body, hash, seal);
      INSERT INTO events SELECT * FROM old_events; DROP TABLE old_events;
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'x'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'x'); END;`);
    expect(store.events.verify()).toMatchObject({ ok: true, count: 6 }); // positive control: same bytes, other table
    for (const forged of [right.toString('hex'), Buffer.from(right.toString('hex')), Buffer.concat([right, Buffer.from([0])]), right.subarray(0, 31)]) {
      const db = new Database(file);
      db.exec('DROP TRIGGER events_no_update');
      db.prepare('UPDATE events SET hash = ? WHERE id = 3').run(forged);
      db.exec("CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'x'); END");
      db.close();
      const v = store.events.verify();
      expect(v).toMatchObject({ ok: false, firstBad: 3, count: 2 });
      expect(v.message).toMatch(/^event 3: hash mismatch \(its stored hash is not 32 bytes/);
    }
  });

  it('flags removed triggers even when the chain itself is intact', () => {
    fill(5);
    tamper('DROP TRIGGER events_no_delete;');
    const v = store.events.verify();
    expect(v).toMatchObject({ ok: false, firstBad: null, count: 5 });
    expect(v.message).toMatch(/chain intact, but the append-only triggers were removed/);
  });

  it('head() changes with every append so that an anchor kept elsewhere can detect truncation', () => {
    expect(store.events.head()).toEqual({ id: 0, hash: GENESIS_HASH });
    fill(3);
    const anchor = store.events.head();
    expect(anchor.id).toBe(3);
    tamper('DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = 3;');
    expect(store.events.verify().ok).toBe(false); // triggers gone
    expect(store.events.head()).not.toEqual(anchor);
  });
});

describe('verifyChunked (the host\'s check: it yields between chunks of rows)', () => {
  const yields = (onPause?: (n: number) => void): { pause: () => Promise<void>; count: () => number } => {
    let n = 0;
    return {
      pause: async () => {
        n++;
        onPause?.(n);
      },
      count: () => n,
    };
  };

  it('gives verify()\'s result on an intact log of several chunks, an edited event and a removed one', async () => {
    fill(25_000);
    const y = yields();
    expect(await store.events.verifyChunked(y.pause)).toEqual(store.events.verify());
    expect(y.count()).toBe(2); // 10 000 + 10 000 + 5 000 rows: it let the host run twice
    tamper(`DROP TRIGGER events_no_update; UPDATE events SET body = replace(body, 'h15000.test', 'h15000.tost') WHERE id = 15000;`);
    const edited = await store.events.verifyChunked(yields().pause);
    expect(edited).toMatchObject({ ok: false, firstBad: 15000, count: 14999 });
    expect(edited).toEqual(store.events.verify());
    tamper('DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = 20001;');
    expect(await store.events.verifyChunked(yields().pause)).toMatchObject({ ok: false, firstBad: 15000 });
  });

  it('checks the events there were when it began; appends meanwhile neither break it nor count', async () => {
    fill(20_500);
    const y = yields(() => void store.events.append(exec('alpha', 99)));
    const v = await store.events.verifyChunked(y.pause);
    expect(v).toMatchObject({ ok: true, count: 20_500, firstBad: null });
    expect(store.events.latestId()).toBe(20_502);
    expect((await store.events.verifyChunked()).count).toBe(20_502);
  });

  it('finds a removed last event against the anchor, as verify() does', async () => {
    fill(12_000);
    tamper('DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = 12000;');
    const v = await store.events.verifyChunked(yields().pause);
    expect(v.ok).toBe(false);
    expect(v).toEqual(store.events.verify());
  });
});

describe('querying', () => {
  beforeEach(() => {
    store.events.appendMany([
      deny('alpha', 'a.test'), // 1
      exec('beta', 10), // 2
      { kind: 'net.allow', agent: 'alpha', host: 'ok.test', port: 443, rule: null, line: null, reason: 'r' }, // 3
      { kind: 'alert', agent: null, type: 'store', message: 'paddock itself' }, // 4
      { kind: 'net.ask', agent: 'beta', host: 'q.test', port: 80, rule: 'ask net *', line: 1, reason: 'r' }, // 5
      exec('alpha', 11), // 6
      { kind: 'run.exit', agent: 'alpha', run: 'r9', code: 0, signal: null }, // 7
    ]);
  });
  const ids = (q: Parameters<Store['events']['query']>[0]): number[] => store.events.query(q).map((e) => e.id);

  it('filters by agent, by Paddock-only (null) and by kind prefix, newest first', () => {
    expect(ids({ agent: 'alpha' })).toEqual([7, 6, 3, 1]);
    expect(ids({ agent: null })).toEqual([4]);
    expect(ids({ kindPrefix: 'net.' })).toEqual([5, 3, 1]);
    expect(ids({ kindPrefix: 'net.deny' })).toEqual([1]);
    expect(ids({ kindPrefix: 'r' })).toEqual([7]);
    expect(ids({ kindPrefix: 'nothing' })).toEqual([]);
    expect(ids({ agent: 'beta', kindPrefix: 'net.' })).toEqual([5]);
  });

  it("reads one run's events (the replay's timeline), through the agent's index", () => {
    store.events.appendMany([{ kind: 'fs.change', agent: 'alpha', run: 'r8', path: '/w/x', change: 'created' }, { ...exec('alpha', 12), run: 'r9' }]); // 8, 9
    expect(ids({ agent: 'alpha', run: 'r9', order: 'asc' })).toEqual([7, 9]);
    expect(ids({ agent: 'alpha', run: 'r8' })).toEqual([8]);
    expect(ids({ agent: 'beta', run: 'r9' })).toEqual([]);
    expect(store.events.plan({ agent: 'alpha', run: 'r9', order: 'asc' }).join('\n')).toMatch(/SEARCH events USING INDEX events_agent_id/);
  });

  it('follows with afterId in ascending order, pages back with beforeId, honours limit', () => {
    expect(ids({ afterId: 4, order: 'asc' })).toEqual([5, 6, 7]);
    expect(ids({ afterId: 4, order: 'asc', limit: 2 })).toEqual([5, 6]);
    expect(ids({ beforeId: 6, limit: 2 })).toEqual([5, 4]);
    expect(ids({ kindPrefix: 'net.', limit: 2 })).toEqual([5, 3]);
    expect(ids({ kindPrefix: 'net.', order: 'asc', limit: 2 })).toEqual([1, 3]);
    expect(ids({ agent: 'alpha', afterId: 1, beforeId: 7, order: 'asc' })).toEqual([3, 6]);
    expect(() => ids({ limit: 0 })).toThrow(PaddockError);
    expect(() => ids({ afterId: -1 })).toThrow(PaddockError);
  });

  it('returns kind fields at the top level and iterate() streams everything in order', () => {
    expect(store.events.query({ kindPrefix: 'run.exit' })[0]).toEqual({ id: 7, ts: expect.any(String), agent: 'alpha', kind: 'run.exit', run: 'r9', code: 0, signal: null });
    expect([...store.events.iterate(5)].map((e) => e.id)).toEqual([6, 7]);
    for (const e of store.events.iterate()) expect(EventSchema.safeParse(e).success).toBe(true);
  });

  it('reads one agent latest events and each kind through an index range scan, no sort', () => {
    for (const q of [{ agent: 'alpha', limit: 200 }, { kindPrefix: 'net.' }, { agent: 'alpha', afterId: 3, order: 'asc' as const }, { beforeId: 5 }]) {
      const plan = store.events.plan(q).join('\n');
      expect(plan).toMatch(/SEARCH events USING (INDEX events_(agent|kind)_id|INTEGER PRIMARY KEY)/);
      expect(plan).not.toMatch(/TEMP B-TREE|SCAN events/);
    }
  });
});

describe('the append path', () => {
  it('hashes exactly as verify recomputes, whatever the characters of run and the fields', () => {
    const odd = '"\\\u2028\u0000é';
    const [e] = store.events.appendMany([{ kind: 'alert', agent: null, run: odd, type: odd, message: odd, n: -0, nested: { b: [1, { a: odd }] } } as NewEvent]);
    expect(e).toEqual(store.events.query({ limit: 1 })[0]);
    expect(store.events.verify().ok).toBe(true);
  });
});
