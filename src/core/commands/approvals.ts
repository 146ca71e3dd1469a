import type { Answer, Approval } from '../../shared/approval.schema.js';
import { PaddockError } from '../../shared/errors.js';
import type { PaddockEvent } from '../../shared/events.schema.js';
import type { Engine } from '../engine.js';
import type { AnswerSurface } from '../egress/approvals.js';
import type { ApprovalOutcome } from '../egress/types.js';

/** What an answer did: the answer given, and the one applied (an "always" for a target no narrow rule can name counts once). */
export interface AnswerApplied {
  answer: Answer;
  applied: ApprovalOutcome;
  /** The rule an `always` answer added (as `rule.change` logged it). */
  rule?: string;
}

/** The one sentence every host says for an answer to an ask that is not waiting. */
export function notPending(id: string): PaddockError {
  return new PaddockError('E_NOT_FOUND', `approval ${id} is not pending (already answered, timed out, or never asked); the pending ones are under Approvals in the app and in paddock approvals`);
}

/** The approvals verbs: the pending asks and their answer. */
export function approvalVerbs(engine: Engine) {
  return {
    listApprovals: (): Approval[] => engine.approvals.list(),
    pendingCount: (): number => engine.store.approvals.listPending().length,
    /**
     * Answers a pending ask and returns the answer actually applied (read from its
     * `approval.answer` event: the queue may count an "always" once). Announces `approvals`.
     */
    async answer(id: string, answer: Answer, by: AnswerSurface): Promise<AnswerApplied> {
      let applied: ApprovalOutcome | null = null;
      let rule: string | undefined;
      const agent = engine.approvals.list().find((a) => a.id === id)?.agent;
      const seen = (e: PaddockEvent): void => {
        const a = e as { kind: string; approval?: unknown; effective?: unknown; rule?: unknown; change?: unknown };
        if (a.kind === 'approval.answer' && String(a.approval) === id && typeof a.effective === 'string') applied = a.effective as ApprovalOutcome;
        // The rule this answer added: so the user reads what was remembered (`allow action deploy` covers every detail).
        if (a.kind === 'rule.change' && a.change === 'add' && e.agent === agent && typeof a.rule === 'string' && rule === undefined) rule = a.rule;
      };
      engine.bus.on('event', seen);
      let ok: boolean;
      try {
        // Threat: a late or replayed answer must not override a timeout or an earlier answer.
        ok = await engine.approvals.answer(id, answer, by);
      } finally {
        engine.bus.off('event', seen);
      }
      if (!ok) throw notPending(id);
      engine.bus.emit('approvals');
      const out: AnswerApplied = { answer, applied: applied ?? answer };
      if (rule !== undefined && (out.applied === 'always' || out.applied === 'deny-always')) out.rule = rule;
      return out;
    },
  };
}
