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
}

/** The one sentence every host says for an answer to an ask that is not waiting. */
export function notPending(id: string): PaddockError {
  return new PaddockError('E_NOT_FOUND', `approval ${id} is not pending (already answered, timed out, or never asked); see the inbox or paddock approvals`);
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
      const seen = (e: PaddockEvent): void => {
        const a = e as { kind: string; approval?: unknown; effective?: unknown };
        if (a.kind === 'approval.answer' && String(a.approval) === id && typeof a.effective === 'string') applied = a.effective as ApprovalOutcome;
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
      return { answer, applied: applied ?? answer };
    },
  };
}
