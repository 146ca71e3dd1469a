import type Database from 'better-sqlite3';
import type { Agent } from '../../shared/agent.schema.js';
import { PaddockError } from '../../shared/errors.js';
import { AGENT_NAME_RE } from '../../shared/names.js';

/** An agent as stored, with the live network-switch override (null: the profile's `network`). */
export interface StoredAgent extends Agent {
  network: 'on' | 'off' | null;
}

/** An agent's learning period: the ids of the events that opened and closed it. */
export interface LearningPeriod {
  /** True while the agent is learning. */
  on: boolean;
  from: number | null;
  /** null while learning. */
  to: number | null;
}

/** What a caller provides to create or update an agent. */
export interface AgentInput {
  name: string;
  profile: string;
  source?: string | null;
}

interface Row {
  name: string;
  profile: string;
  source: string | null;
  network: 'on' | 'off' | null;
  created: string;
  updated: string;
}

function checkName(name: string): void {
  // Threat: names end up in paths and sandbox arguments; only the contract's names are stored.
  if (!AGENT_NAME_RE.test(name))
    throw new PaddockError('E_INVALID_INPUT', `"${name}" is not a valid agent name: use lower-case letters, digits and -, starting with a letter (at most 40).`);
}

const toAgent = (r: Row): StoredAgent => ({ ...r });

/** The agents table. */
export class AgentsRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly clock: () => Date,
  ) {}

  /** Creates the agent or replaces its profile and source (keeping `created` and the network override). */
  upsert(a: AgentInput): StoredAgent {
    checkName(a.name);
    const now = this.clock().toISOString();
    this.db
      .prepare(
        `INSERT INTO agents (name, profile, source, network, created, updated) VALUES (?, ?, ?, NULL, ?, ?)
         ON CONFLICT (name) DO UPDATE SET profile = excluded.profile, source = excluded.source, updated = excluded.updated`,
      )
      .run(a.name, a.profile, a.source ?? null, now, now);
    return this.get(a.name)!;
  }

  /** The agent, or null when there is none by that name. */
  get(name: string): StoredAgent | null {
    const r = this.db.prepare('SELECT name, profile, source, network, created, updated FROM agents WHERE name = ?').get(name) as Row | undefined;
    return r ? toAgent(r) : null;
  }

  /** Every agent, by name. */
  list(): StoredAgent[] {
    return (this.db.prepare('SELECT name, profile, source, network, created, updated FROM agents ORDER BY name').all() as Row[]).map(toAgent);
  }

  /** Sets (or clears, with null) the live network switch override. Returns false if no such agent. */
  setNetwork(name: string, network: 'on' | 'off' | null): boolean {
    const now = this.clock().toISOString();
    return this.db.prepare('UPDATE agents SET network = ?, updated = ? WHERE name = ?').run(network, now, name).changes === 1;
  }

  /** Whether the agent gets decoy credentials in its home (issue 18); null when there is no such agent. */
  decoys(name: string): boolean | null {
    const r = this.db.prepare('SELECT decoys FROM agents WHERE name = ?').get(name) as { decoys: number } | undefined;
    return r ? r.decoys === 1 : null;
  }

  /** Turns the agent's decoys on or off. Returns false if no such agent. */
  setDecoys(name: string, on: boolean): boolean {
    const now = this.clock().toISOString();
    return this.db.prepare('UPDATE agents SET decoys = ?, updated = ? WHERE name = ?').run(on ? 1 : 0, now, name).changes === 1;
  }

  /** The agent's learning period (event ids; see migration 007), or null when there is no such agent. */
  learning(name: string): LearningPeriod | null {
    const r = this.db.prepare('SELECT learn_from, learn_to FROM agents WHERE name = ?').get(name) as { learn_from: number | null; learn_to: number | null } | undefined;
    if (!r) return null;
    return { on: r.learn_from !== null && r.learn_to === null, from: r.learn_from, to: r.learn_to };
  }

  /** Names of the agents learning now. */
  learningAgents(): string[] {
    return (this.db.prepare('SELECT name FROM agents WHERE learn_from IS NOT NULL AND learn_to IS NULL ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  }

  /** Sets the learning period's bounds (both null: no period kept). Returns false if no such agent. */
  setLearning(name: string, from: number | null, to: number | null): boolean {
    const now = this.clock().toISOString();
    return this.db.prepare('UPDATE agents SET learn_from = ?, learn_to = ?, updated = ? WHERE name = ?').run(from, to, now, name).changes === 1;
  }

  /**
   * Deletes the agent; its approvals, secrets and vault key go with it (schema trigger).
   * Its events stay: the log is append-only. Returns false if there was no such agent.
   */
  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM agents WHERE name = ?').run(name).changes === 1;
  }
}
