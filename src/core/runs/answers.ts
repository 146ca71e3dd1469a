import type { Rule } from '../../shared/rules.schema.js';
import type { ApprovalOutcome, ApprovalRequest, ApprovalsPort } from '../egress/index.js';
import { compilePolicy, parseAuthority, parseRules, type Policy } from '../policy/index.js';
import type { Store, StoredAnswer } from '../store/index.js';

/**
 * Rules the user added by answering an ask with "always" / "deny always". They are kept apart
 * from the profile (which stays as the user wrote it) and survive restarts.
 *
 * Within a precedence tier deny > ask > allow, so a remembered `allow` cannot beat an `ask` rule
 * that names the same target (`ask net x.test` + `allow net x.test:443`). Remembered allows
 * therefore answer the ask itself (whatever rule asked): `gate()` wraps the
 * approvals queue and says yes at once when a remembered allow covers the request.
 */
export class AnswerRules {
  private readonly allowCache = new Map<string, Policy>();

  constructor(private readonly store: Pick<Store, 'answers'>) {}

  add(agent: string, text: string, by: string | null = null): void {
    // Only one well-formed rule per answer (threat: an answer smuggling extra rule lines).
    const parsed = parseRules(text);
    if (parsed.diagnostics.length || parsed.rules.length !== 1 || /[\r\n]/.test(text)) return;
    this.store.answers.add(agent, text, by);
    this.allowCache.delete(agent);
  }

  /** The remembered answers as stored (rule text, when, where it was answered), oldest first. */
  list(agent: string): StoredAnswer[] {
    return this.store.answers.list(agent);
  }

  /** Forgets one remembered answer; false when it was not there. */
  remove(agent: string, rule: string): boolean {
    const gone = this.store.answers.remove(agent, rule);
    // Threat: a revoked "always" still answering asks from the cached policy.
    this.allowCache.delete(agent);
    return gone;
  }

  /** The remembered rules, numbered after `afterLine` (where the rule editor shows them). */
  rules(agent: string, afterLine = 0): Rule[] {
    const out: Rule[] = [];
    for (const a of this.store.answers.list(agent)) {
      const r = parseRules(a.rule).rules[0];
      if (r) out.push({ ...r, line: afterLine + out.length + 1 });
    }
    return out;
  }

  clear(agent: string): void {
    this.store.answers.clear(agent);
    this.allowCache.delete(agent);
  }

  /** True when a remembered "always" answer covers this ask. */
  covers(req: Pick<ApprovalRequest, 'agent' | 'kind' | 'target'>): boolean {
    return this.coveringRule(req) !== null;
  }

  /** The remembered "always" rule that covers this ask (its text), or null. */
  coveringRule(req: Pick<ApprovalRequest, 'agent' | 'kind' | 'target'>): string | null {
    let policy = this.allowCache.get(req.agent);
    if (!policy) {
      policy = compilePolicy(this.rules(req.agent).filter((r) => r.effect === 'allow'));
      this.allowCache.set(req.agent, policy);
    }
    let d: ReturnType<Policy['decide']>;
    if (req.kind === 'net') {
      const t = parseAuthority(req.target);
      if (t === null) return null;
      d = policy.decideNet({ host: t.host, port: t.port });
    } else d = policy.decide(req.kind, req.target);
    return d.effect === 'allow' && d.rule !== null ? d.rule : null;
  }

  /** The approvals port the proxy and the vault ask through: remembered answers first. */
  gate(queue: ApprovalsPort): ApprovalsPort {
    return {
      request: (req): Promise<ApprovalOutcome> => {
        const rule = this.coveringRule(req);
        if (rule === null) return queue.request(req);
        // No one is asked: the events say so, and which answer decided, instead of a new `*.ask`
        // followed by "approved by the user" (PRODUCT.md: every decision records what made it).
        req.onHeld?.(`answered always earlier (your "always" answer: ${rule}); not asked again`);
        return Promise.resolve('always');
      },
    };
  }
}
