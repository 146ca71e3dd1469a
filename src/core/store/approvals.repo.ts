import type Database from 'better-sqlite3';
import type { Answer, Approval } from '../../shared/approval.schema.js';
import { PaddockError } from '../../shared/errors.js';

/** An approval row with its state. */
export interface StoredApproval extends Approval {
  rule: string | null;
  state: 'pending' | 'answered' | 'expired';
  answer: Answer | null;
  answered: string | null;
}

interface Row {
  id: string;
  agent: string;
  kind: Approval['kind'];
  target: string;
  detail: string;
  rule: string | null;
  created: string;
  expires: string;
  state: StoredApproval['state'];
  answer: Answer | null;
  answered: string | null;
}

/** Timestamps are stored as `Date.toISOString()` text so that SQL string comparison is time order. */
function isoTime(v: string, what: string): string {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new PaddockError('E_INVALID_INPUT', `Approval ${what} "${v}" is not a timestamp: use ISO 8601.`);
  return new Date(t).toISOString();
}

const COLS = 'id, agent, kind, target, detail, rule, created, expires, state, answer, answered';
const toApproval = (r: Row): StoredApproval => ({ ...r });
/** The public shape of a pending ask (`paddock approvals --json`). */
const toPending = (r: StoredApproval): Approval => ({ id: r.id, agent: r.agent, kind: r.kind, target: r.target, detail: r.detail, rule: r.rule, created: r.created, expires: r.expires });

/** The approvals table: asks waiting for the user, and their outcome. */
export class ApprovalsRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly clock: () => Date,
  ) {}

  /** Records a new pending ask. `created` defaults to now. */
  insert(a: Omit<Approval, 'created'> & { created?: string }): StoredApproval {
    const created = a.created !== undefined ? isoTime(a.created, 'created') : this.clock().toISOString();
    const expires = isoTime(a.expires, 'expires');
    this.db
      .prepare(`INSERT INTO approvals (id, agent, kind, target, detail, rule, created, expires, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')`)
      .run(a.id, a.agent, a.kind, a.target, a.detail, a.rule ?? null, created, expires);
    return this.get(a.id)!;
  }

  /** One approval by id, in any state, or null. */
  get(id: string): StoredApproval | null {
    const r = this.db.prepare(`SELECT ${COLS} FROM approvals WHERE id = ?`).get(id) as Row | undefined;
    return r ? toApproval(r) : null;
  }

  /** Pending asks, oldest first (optionally of one agent). */
  listPending(agent?: string): Approval[] {
    const rows = (
      agent === undefined
        ? this.db.prepare(`SELECT ${COLS} FROM approvals WHERE state = 'pending' ORDER BY created, id`).all()
        : this.db.prepare(`SELECT ${COLS} FROM approvals WHERE state = 'pending' AND agent = ? ORDER BY created, id`).all(agent)
    ) as Row[];
    return rows.map(toApproval).map(toPending);
  }

  /**
   * Answers a pending ask. Returns false (and changes nothing) when it is not pending any more
   * (threat: a late or replayed answer overriding a timeout or an earlier answer).
   */
  answer(id: string, answer: Answer): boolean {
    const now = this.clock().toISOString();
    return (
      this.db.prepare(`UPDATE approvals SET state = 'answered', answer = ?, answered = ? WHERE id = ? AND state = 'pending'`).run(answer, now, id).changes === 1
    );
  }

  /** Marks one pending ask expired (it was denied for lack of an answer). False if not pending. */
  expire(id: string): boolean {
    const now = this.clock().toISOString();
    return this.db.prepare(`UPDATE approvals SET state = 'expired', answered = ? WHERE id = ? AND state = 'pending'`).run(now, id).changes === 1;
  }

  /** Expires every pending ask whose deadline is at or before `now` (default: the clock); returns them. */
  expireDue(at?: string): Approval[] {
    const now = at !== undefined ? isoTime(at, 'time') : this.clock().toISOString();
    return this.db.transaction(() => {
      const due = this.db.prepare(`SELECT ${COLS} FROM approvals WHERE state = 'pending' AND expires <= ? ORDER BY created, id`).all(now) as Row[];
      const stmt = this.db.prepare(`UPDATE approvals SET state = 'expired', answered = ? WHERE id = ? AND state = 'pending'`);
      for (const r of due) stmt.run(now, r.id);
      return due.map(toApproval).map(toPending);
    }).immediate();
  }
}
