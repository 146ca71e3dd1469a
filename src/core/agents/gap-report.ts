/**
 * The gap report: what an agent can still do that no rule addresses explicitly, so the user
 * sees the holes before the agent finds them. Deterministic: sorted by severity, code, message.
 */
import type { GapFinding } from '../../shared/api.js';
import type { Profile } from '../../shared/profile.schema.js';
import type { Effect, Rule, RuleSet } from '../../shared/rules.schema.js';
import { fileFindings, limitFindings } from './gap-files.js';
import { lines, netFindings, secretFindings } from './gap-net.js';
import { isAnyTarget } from '../policy/index.js';

const SEVERITY_ORDER: Record<GapFinding['severity'], number> = { high: 0, medium: 1, low: 2, info: 3 };
const EFFECT_RANK: Record<Effect, number> = { deny: 2, ask: 1, allow: 0 };

/** Whether a pattern matches everything of its kind (so a deny with it overrides every weaker rule of its tier). */
function universal(r: Rule): boolean {
  if (r.kind === 'read' || r.kind === 'write') return r.pattern === '**' || r.pattern === '/**';
  if (r.kind === 'net') return r.pattern === '*' || r.pattern === '*:*';
  return r.pattern === '*';
}

/** Whether a rule is in the "any target" tier (PRODUCT.md "Precedence"): rules naming their target beat it. */
function anyTier(r: Rule): boolean {
  if (r.kind === 'net') return r.pattern === '*' || r.pattern.startsWith('*:');
  return isAnyTarget(r.pattern);
}

/** Findings about the rules themselves: advisories, asks, shadowed and repeated rules. */
function ruleFindings(profile: Profile, rs: RuleSet): GapFinding[] {
  const out: GapFinding[] = [];
  if (rs.advisories.length > 0) {
    const list = rs.advisories.map((a) => `${a.type} "${a.text}" (line ${a.line})`).join('; ');
    out.push({
      severity: 'medium',
      code: 'advisory-not-enforced',
      message: `${rs.advisories.length} do/dont line${rs.advisories.length > 1 ? 's are' : ' is'} advisory: told to the agent in PADDOCK.md, enforced by nothing. ${list}`,
      suggestion: 'where possible, turn them into rules: "deny …", or "ask action NAME" for actions the agent harness declares',
    });
  }
  // Principle 1: an action rule decides only what the agent asks about; it does not stop the action itself.
  const actions = rs.rules.filter((r) => r.kind === 'action');
  if (actions.length > 0) {
    out.push({
      severity: 'medium',
      code: 'action-rules-need-asking',
      message: `${actions.map((r) => r.text).join('; ')} (${lines(actions)}) apply only when the agent asks first through the ask gate (paddock-ask, or a hook of its harness such as Claude Code's "Ask me before tool calls"): an agent that does the action without asking is not stopped by ${actions.length > 1 ? 'them' : 'it'}.`,
      suggestion: 'also restrict what the action needs: net rules for the services it uses ("ask net *" for the rest), exec rules for its programs',
    });
  }
  const asks = rs.rules.filter((r) => r.effect === 'ask');
  if (asks.length > 0) {
    out.push({
      severity: 'info',
      code: 'ask-timeout',
      message: `${asks.length} ask rule${asks.length > 1 ? 's wait' : ' waits'} ${profile.approvals.timeout} s for your answer; an unanswered ask is denied once (it never becomes a rule).`,
      suggestion: null,
    });
  }
  // Indexed by kind and pattern so that a long rule list stays linear.
  const strongest = new Map<string, number>();
  // A universal deny naming its target (`/**`) shadows every weaker rule of its kind; one for any
  // target (`*`, `**`) only shadows the other any-target rules (rules naming a target beat it).
  const universalDeny = new Set<string>();
  const universalAnyDeny = new Set<string>();
  for (const o of rs.rules) {
    const key = `${o.kind}\u0000${o.pattern}`;
    strongest.set(key, Math.max(strongest.get(key) ?? -1, EFFECT_RANK[o.effect]));
    if (o.effect === 'deny' && universal(o)) (anyTier(o) ? universalAnyDeny : universalDeny).add(o.kind);
  }
  const shadowed: Rule[] = [];
  const redundant: Rule[] = [];
  const seen = new Set<string>();
  for (const r of rs.rules) {
    const key = `${r.kind}\u0000${r.pattern}`;
    const full = `${r.effect}\u0000${key}`;
    const underDeny = r.effect !== 'deny' && (universalDeny.has(r.kind) || (anyTier(r) && universalAnyDeny.has(r.kind)));
    if ((strongest.get(key) ?? -1) > EFFECT_RANK[r.effect] || underDeny) shadowed.push(r);
    else if (seen.has(full)) redundant.push(r);
    seen.add(full);
  }
  if (shadowed.length > 0) {
    out.push({
      severity: 'low',
      code: 'rule-shadowed',
      message: `${shadowed.map((r) => r.text).join('; ')} (${lines(shadowed)}) can never decide anything: a deny or ask rule for the same target wins (within a tier deny > ask > allow, whatever the order).`,
      suggestion: 'remove the shadowed rules or the broader one',
    });
  }
  if (redundant.length > 0) {
    out.push({
      severity: 'low',
      code: 'rule-repeated',
      message: `${redundant.map((r) => r.text).join('; ')} (${lines(redundant)}) repeat${redundant.length > 1 ? '' : 's'} an earlier rule.`,
      suggestion: 'remove the repeated lines',
    });
  }
  return out;
}

/**
 * Lists what the agent can still do that no rule addresses explicitly, each finding with a
 * stable kebab-case `code`, a severity and, where there is one, a rule or change that closes it.
 */
export function gapReport(profile: Profile, ruleSet: RuleSet, opts: { decoys?: boolean } = {}): GapFinding[] {
  const all = [
    ...(opts.decoys
      ? [
          {
            severity: 'info' as const,
            code: 'decoys-placed',
            message:
              'Decoy credentials (~/.aws/credentials, ~/.ssh/deploy_ed25519, ~/.git-credentials, ~/.env; valid nowhere) are placed in the agent\'s home: opening one raises decoy-read and pauses it (by default: PADDOCK_ALERT_PAUSE), sending a value out through the proxy raises secret-exfil. A careful agent may leave them alone, so their silence proves nothing.',
            suggestion: null,
          },
        ]
      : []),...netFindings(profile, ruleSet), ...secretFindings(profile, ruleSet), ...fileFindings(profile, ruleSet), ...limitFindings(profile), ...ruleFindings(profile, ruleSet)];
  return all.sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}
