import type Database from 'better-sqlite3';

/** One remembered answer rule. */
export interface StoredAnswer {
  rule: string;
  created: string;
  /** Where the answer was given (`cli`, `app`, `console`); null when not recorded. */
  by: string | null;
}

/** Rules added by answering asks with "always" / "deny always" (the only SQL on `answers`). */
export class AnswersRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly clock: () => Date,
  ) {}

  /** Remembers a rule for the agent (once: a repeated answer adds nothing). */
  add(agent: string, rule: string, by: string | null = null): void {
    this.db.prepare('INSERT OR IGNORE INTO answers (agent, rule, created, answered_by) VALUES (?, ?, ?, ?)').run(agent, rule, this.clock().toISOString(), by);
  }

  /** The agent's remembered rules, oldest first. */
  list(agent: string): StoredAnswer[] {
    return this.db.prepare('SELECT rule, created, answered_by AS by FROM answers WHERE agent = ? ORDER BY id').all(agent) as StoredAnswer[];
  }

  /** Forgets one rule; false if it was not there. */
  remove(agent: string, rule: string): boolean {
    return this.db.prepare('DELETE FROM answers WHERE agent = ? AND rule = ?').run(agent, rule).changes === 1;
  }

  /** Forgets every remembered rule of the agent. */
  clear(agent: string): void {
    this.db.prepare('DELETE FROM answers WHERE agent = ?').run(agent);
  }
}
