// Tampering with the activity log by someone who can write paddock.db (issue 13, item 4): drop the
// append-only triggers, rewrite events, recompute every hash, restore the triggers. `paddock log verify`
// must still exit 1 naming the first bad event (or how many newest events are missing).
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventHash, evolveKey, GENESIS_HASH, openStore, sealOf } from '../../src/core/store/index.js';
import { paddock, tempDir } from '../helpers/cli.js';

const KEYRING = process.env.PADDOCK_TEST_KEYRING === '1';
const tmp = tempDir('paddock-log-tamper-');
afterAll(() => tmp.cleanup());

interface Row { id: number; ts: string; agent: string | null; kind: string; run: string | null; body: string; hash: Buffer; seal: string | null }

let n = 0;
/** A data dir whose log holds events 1..10 (one per append, as the engine logs) then 11..15 (one batch). */
function makeLog(): string {
  const dataDir = join(tmp.dir, `data-${++n}`);
  mkdirSync(dataDir, { mode: 0o700 });
  const store = openStore(join(dataDir, 'paddock.db'));
  try {
    for (let i = 1; i <= 10; i++) store.events.append({ kind: 'proc.exec', agent: 'victim', pid: 100 + i, argv: ['step', String(i)] });
    store.events.appendMany(Array.from({ length: 5 }, (_, k) => ({ kind: 'net.deny' as const, agent: 'victim', host: `h${k}.test`, port: 443, rule: null, line: null, reason: 'default' })));
  } finally {
    store.close();
  }
  return dataDir;
}

/** The attacker: triggers dropped, `edit` applied to the rows, ids renumbered and hashes recomputed, triggers restored. */
function rewrite(dataDir: string, edit: (rows: Row[], db: Database.Database) => Row[]): void {
  const db = new Database(join(dataDir, 'paddock.db'));
  try {
    const triggers = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").all() as { sql: string }[];
    db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;');
    const rows = edit(db.prepare('SELECT * FROM events ORDER BY id').all() as Row[], db);
    db.exec('DELETE FROM events');
    let prev = GENESIS_HASH;
    const ins = db.prepare('INSERT INTO events (id, ts, agent, kind, run, body, hash, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    rows.forEach((r, i) => {
      const id = i + 1;
      const hash = eventHash(prev, { ...r, id });
      ins.run(id, r.ts, r.agent, r.kind, r.run, r.body, Buffer.from(hash, 'hex'), r.seal);
      prev = hash;
    });
    for (const t of triggers) db.exec(t.sql);
  } finally {
    db.close();
  }
}

function verify(dataDir: string, env?: NodeJS.ProcessEnv): { code: number; out: string; firstBad: number | null } {
  const r = paddock(['--data-dir', dataDir, 'log', 'verify'], env ? { env } : {});
  const j = JSON.parse(paddock(['--data-dir', dataDir, '--json', 'log', 'verify'], env ? { env } : {}).stdout) as { firstBad: number | null };
  return { code: r.code ?? -1, out: r.stdout + r.stderr, firstBad: j.firstBad };
}

describe.skipIf(!KEYRING)('log tampering with hashes recomputed (anchor key in the OS keychain)', () => {
  it('an untouched log verifies, sealed and anchored in the keychain (positive control)', () => {
    const v = verify(makeLog());
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/log ok: 15 events, hash chain intact; sealed, anchor key pinned in the OS keychain/);
  });

  it('deleting a middle event is reported at that event', () => {
    const d = makeLog();
    rewrite(d, (rows) => rows.filter((r) => r.id !== 5));
    const v = verify(d);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/^paddock: log verification failed: event 5\b/m);
    expect(v.firstBad).toBe(5);
  });

  it('editing an event is reported at that event', () => {
    const d = makeLog();
    rewrite(d, (rows) => rows.map((r) => (r.id === 3 ? { ...r, body: r.body.replace('"step"', '"harmless"') } : r)));
    const v = verify(d);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/^paddock: log verification failed: event 3\b/m);
  });

  it('reordering two events is reported at the first of them', () => {
    const d = makeLog();
    rewrite(d, (rows) => rows.map((r, i) => (r.id === 7 ? rows[i + 1]! : r.id === 8 ? rows[i - 1]! : r)));
    const v = verify(d);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/^paddock: log verification failed: event 7\b/m);
  });

  it('cutting the tail (no recomputation at all) reports how many newest events are missing', () => {
    const d = makeLog();
    rewrite(d, (rows) => rows.filter((r) => r.id <= 12)); // mid-batch
    let v = verify(d);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/3 newest events missing/);
    expect(v.firstBad).toBe(13);

    const d2 = makeLog();
    rewrite(d2, (rows) => rows.filter((r) => r.id <= 10)); // at a batch boundary, whose seal is intact
    v = verify(d2);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/5 newest events missing/);
  });

  it('re-sealing with the key found in the database does not help: the deleted event is still named', () => {
    const d = makeLog();
    rewrite(d, (rows, db) => {
      const kept = rows.filter((r) => r.id !== 5);
      // The attacker knows the scheme and takes the only key on disk (the next one) to re-seal from the change on.
      let key = (db.prepare('SELECT key FROM log_anchor').get() as { key: Buffer }).key;
      let prev = GENESIS_HASH;
      return kept.map((r, i) => {
        const id = i + 1;
        const hash = eventHash(prev, { ...r, id });
        prev = hash;
        if (id < 5 || r.seal === null) return r;
        const seal = sealOf(key, id, hash);
        key = evolveKey(key);
        return { ...r, seal };
      });
    });
    const v = verify(d);
    expect(v.code).toBe(1);
    expect(v.firstBad).toBe(5);
  });

  it('removing the anchor row (to start a new, unpinned anchor) is reported, even after new events', () => {
    const d = makeLog();
    rewrite(d, (rows, db) => {
      db.exec('DELETE FROM log_anchor');
      return rows.filter((r) => r.id !== 5).map((r) => ({ ...r, seal: null }));
    });
    const store = openStore(join(d, 'paddock.db'));
    store.events.append({ kind: 'alert', agent: null, type: 'test', message: 'after the rewrite' });
    store.close();
    const v = verify(d);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/anchor was (removed|replaced)/);
  });
});

describe('no OS keychain: logging goes on, the anchor degrades to a file in the data dir', () => {
  it('a run with no keychain reachable is logged and sealed; a cut tail is still reported', () => {
    const dataDir = join(tmp.dir, 'no-keychain');
    const home = join(tmp.dir, 'home-nk');
    mkdirSync(home, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent', HOME: home, XDG_DATA_HOME: join(home, 'xdg'), XDG_RUNTIME_DIR: join(home, 'run') };
    delete env.PADDOCK_VAULT_PASSPHRASE;
    const file = join(tmp.dir, 'nk.yaml');
    writeFileSync(file, 'name: nokeys\ncommand: [sh, -c, "echo hi > note.txt"]\n');
    const run = paddock(['--data-dir', dataDir, 'run', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(dataDir).filter((f) => /^log-anchor-[0-9a-f]{32}\.key$/.test(f))).toHaveLength(1);
    const ok = verify(dataDir, env);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/pinned in a file in the data dir only/);

    const db = new Database(join(dataDir, 'paddock.db'));
    const last = (db.prepare('SELECT max(id) AS m FROM events').get() as { m: number }).m;
    db.exec(`DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = ${last}; CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'x'); END;`);
    db.close();
    const cut = verify(dataDir, env);
    expect(cut.code).toBe(1);
    expect(cut.out).toMatch(/1 newest event missing/);
    expect(existsSync(join(dataDir, 'paddock.db'))).toBe(true);
  });
});
