import type Database from 'better-sqlite3';
import type { SecretMeta } from '../../shared/secret.schema.js';

/** How a secret is delivered (null: not declared by the profile yet). */
export type SecretMode = 'env' | 'file' | 'header';

/** A vault row as the vault writes it: metadata plus the encrypted value. */
export interface SecretInput {
  agent: string;
  name: string;
  as: SecretMode | null;
  hosts: string[];
  ciphertext: Buffer;
  nonce: Buffer;
}

/** A full vault row (ciphertext included): only the vault should read these. */
export interface SecretRow extends SecretInput {
  created: string;
  updated: string;
  lastUsed: string | null;
  useCount: number;
}

/** An agent's data key, wrapped (encrypted) by the vault's master key. */
export interface AgentKeyRow {
  agent: string;
  wrappedKey: Buffer;
  created: string;
}

interface Row {
  agent: string;
  name: string;
  as_mode: SecretMode | null;
  hosts: string;
  ciphertext: Buffer;
  nonce: Buffer;
  created: string;
  updated: string;
  last_used: string | null;
  use_count: number;
}

function parseHosts(text: string): string[] {
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.filter((h): h is string => typeof h === 'string') : [];
}

/** The vault's tables: secrets, per-agent wrapped keys and vault metadata (key hierarchy). */
export class SecretsRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly clock: () => Date,
  ) {}

  /** Creates or replaces a secret (keeps `created`, last use and use count on replace). */
  setSecret(s: SecretInput): void {
    const now = this.clock().toISOString();
    this.db
      .prepare(
        `INSERT INTO secrets (agent, name, as_mode, hosts, ciphertext, nonce, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (agent, name) DO UPDATE SET as_mode = excluded.as_mode, hosts = excluded.hosts,
           ciphertext = excluded.ciphertext, nonce = excluded.nonce, updated = excluded.updated`,
      )
      .run(s.agent, s.name, s.as, JSON.stringify(s.hosts), s.ciphertext, s.nonce, now, now);
  }

  /** The full row, ciphertext included, or null. */
  getSecret(agent: string, name: string): SecretRow | null {
    const r = this.db.prepare('SELECT * FROM secrets WHERE agent = ? AND name = ?').get(agent, name) as Row | undefined;
    if (!r) return null;
    return {
      agent: r.agent,
      name: r.name,
      as: r.as_mode,
      hosts: parseHosts(r.hosts),
      ciphertext: r.ciphertext,
      nonce: r.nonce,
      created: r.created,
      updated: r.updated,
      lastUsed: r.last_used,
      useCount: r.use_count,
    };
  }

  /** Metadata of an agent's secrets, by name. Never selects the ciphertext (threat: values leaking through listings). */
  listMeta(agent: string): SecretMeta[] {
    const rows = this.db
      .prepare('SELECT agent, name, as_mode, hosts, created, updated, last_used, use_count FROM secrets WHERE agent = ? ORDER BY name')
      .all(agent) as Omit<Row, 'ciphertext' | 'nonce'>[];
    return rows.map((r) => ({
      agent: r.agent,
      name: r.name,
      as: r.as_mode,
      hosts: parseHosts(r.hosts),
      created: r.created,
      updated: r.updated,
      lastUsed: r.last_used,
      useCount: r.use_count,
    }));
  }

  /** Removes a secret; false if there was none. */
  removeSecret(agent: string, name: string): boolean {
    return this.db.prepare('DELETE FROM secrets WHERE agent = ? AND name = ?').run(agent, name).changes === 1;
  }

  /** Counts one delivery of a secret and stamps its last use (default: now). False if no such secret. */
  recordUse(agent: string, name: string, ts: string = this.clock().toISOString()): boolean {
    return this.db.prepare('UPDATE secrets SET use_count = use_count + 1, last_used = ? WHERE agent = ? AND name = ?').run(ts, agent, name).changes === 1;
  }

  /** The agent's wrapped data key, or null. */
  getAgentKey(agent: string): AgentKeyRow | null {
    const r = this.db.prepare('SELECT agent, wrapped_key, created FROM agent_keys WHERE agent = ?').get(agent) as
      | { agent: string; wrapped_key: Buffer; created: string }
      | undefined;
    return r ? { agent: r.agent, wrappedKey: r.wrapped_key, created: r.created } : null;
  }

  /** Stores (or replaces) the agent's wrapped data key. */
  setAgentKey(agent: string, wrappedKey: Buffer): void {
    this.db
      .prepare('INSERT INTO agent_keys (agent, wrapped_key, created) VALUES (?, ?, ?) ON CONFLICT (agent) DO UPDATE SET wrapped_key = excluded.wrapped_key, created = excluded.created')
      .run(agent, wrappedKey, this.clock().toISOString());
  }

  /** Deletes the agent's key (its secrets become unreadable); false if there was none. */
  deleteAgentKey(agent: string): boolean {
    return this.db.prepare('DELETE FROM agent_keys WHERE agent = ?').run(agent).changes === 1;
  }

  /** A vault metadata value (salt, KDF parameters, key check…), or null. */
  getMeta(key: string): Buffer | null {
    const r = this.db.prepare('SELECT value FROM vault_meta WHERE key = ?').get(key) as { value: Buffer } | undefined;
    return r ? r.value : null;
  }

  /** Sets a vault metadata value. */
  setMeta(key: string, value: Buffer): void {
    this.db.prepare('INSERT INTO vault_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Deletes a vault metadata value; false if there was none. */
  deleteMeta(key: string): boolean {
    return this.db.prepare('DELETE FROM vault_meta WHERE key = ?').run(key).changes === 1;
  }
}
