/**
 * Compiles parsed rules once into a Policy that answers decisions quickly.
 *
 * Precedence (PRODUCT.md), in two tiers: a rule that names the target (a host, `*.domain`,
 * an address or range; a path or program; a secret or action name) beats a rule for any
 * target; within a tier a matching deny wins over any ask, which wins over any allow; among
 * equals the first rule in the text decides. The "any target" tier is exactly the pure
 * wildcards `*` and `**` (and `*:PORT` for net); `/**`, `~/**` or `*.txt` name something and
 * stay in the first tier, so a deny written with them keeps beating allows (the safer reading). Defaults when nothing matches: net is
 * denied, action is asked, exec is allowed, secret delivery is allowed as declared,
 * read/write follow the folders granted (the sandbox enforces those).
 */
import type { Decision, Effect, Rule, RuleKind } from '../../shared/rules.schema.js';
import { compileNameGlob, compilePathGlob, compileStarGlob, normalizePath } from './glob.js';
import { SEVERITY, type NetRule } from './net-match.js';
import { NetIndex, naiveDecideNet, type NetRequest } from './net-matcher.js';
import { parseNetPattern } from './net-pattern.js';

/** Options for compilePolicy. */
export interface CompileOptions {
  /** The agent's home inside the sandbox; `~` in read/write/exec patterns expands to it. */
  home?: string;
  /** Added to each rule's line (rule-text line → profile-file line). Ignored when mapLine is given. */
  lineOffset?: number;
  /** Maps a rule-text line to the line shown in decisions (e.g. the profile file line). */
  mapLine?: (line: number) => number;
}

/** Kinds decided by `Policy.decide` (net has its own entry point). */
export type SubjectKind = Exclude<RuleKind, 'net'>;

/** A rule as other parts see it: its pattern, text and (mapped) line. */
export interface PolicyRule {
  effect: Effect;
  kind: RuleKind;
  pattern: string;
  text: string;
  line: number;
}

interface MatchRule extends PolicyRule {
  order: number;
  /** True for a rule for any target (`*`, `**`): any rule naming the target beats it. */
  anyTier: boolean;
  test: (subject: string) => boolean;
}

/** True for the patterns of the "any target" tier of read/write/exec/secret/action rules. */
export function isAnyTarget(pattern: string): boolean {
  return pattern === '*' || pattern === '**';
}

const DEFAULTS: Record<SubjectKind, Decision> = {
  action: { effect: 'ask', rule: null, line: null, reason: 'default: actions are asked' },
  exec: { effect: 'allow', rule: null, line: null, reason: 'default: programs may run' },
  secret: { effect: 'allow', rule: null, line: null, reason: 'default: secrets are delivered as declared' },
  read: { effect: 'allow', rule: null, line: null, reason: 'follows the folders granted' },
  write: { effect: 'allow', rule: null, line: null, reason: 'follows the folders granted' },
};

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/** A compiled policy. Build it with compilePolicy; it is immutable. */
export class Policy {
  private readonly net: NetIndex;
  private readonly netRules: NetRule[] = [];
  private readonly byKind = new Map<SubjectKind, MatchRule[]>();
  private readonly all: PolicyRule[] = [];

  constructor(rules: readonly Rule[], private readonly options: CompileOptions = {}) {
    const mapLine = options.mapLine ?? ((l: number) => l + (options.lineOffset ?? 0));
    rules.forEach((r, order) => {
      const line = mapLine(r.line);
      const base: PolicyRule = { effect: r.effect, kind: r.kind, pattern: r.pattern, text: r.text, line };
      this.all.push(base);
      if (r.kind === 'net') {
        const p = parseNetPattern(r.pattern);
        // Threat: a rule that does not parse must not silently widen anything; it is skipped (the parser reports it).
        if (p.ok) this.netRules.push({ effect: r.effect, target: p.pattern.target, ports: p.pattern.ports, text: r.text, line, order });
        return;
      }
      const test = this.tester(r.kind, r.pattern);
      const list = this.byKind.get(r.kind) ?? [];
      list.push({ ...base, order, anyTier: isAnyTarget(r.pattern), test });
      this.byKind.set(r.kind, list);
    });
    this.net = new NetIndex(this.netRules);
  }

  private tester(kind: SubjectKind, pattern: string): (s: string) => boolean {
    const home = this.options.home;
    if (kind === 'action' || kind === 'secret') {
      const re = compileStarGlob(pattern);
      return (s) => re.test(s);
    }
    if (kind === 'exec' && !pattern.includes('/')) {
      // A program name matches any path whose basename is that name.
      const re = compileNameGlob(pattern);
      return (s) => re.test(basename(normalizePath(s, home)));
    }
    const re = compilePathGlob(pattern, home);
    return (s) => re.test(normalizePath(s, home));
  }

  /** Decides a network request (called before resolution with the host, then with the dialled address). */
  decideNet(req: NetRequest): Decision {
    return this.net.decide(req);
  }

  /** The same decision by a linear scan over all net rules (baseline and cross-check). */
  naiveDecideNet(req: NetRequest): Decision {
    return naiveDecideNet(this.netRules, req);
  }

  /**
   * Decides an action, secret, program or path. Never null: when no rule matches, the
   * kind's default decision (rule and line null) is returned.
   */
  decide(kind: SubjectKind, subject: string): Decision {
    let best: MatchRule | null = null;
    for (const r of this.byKind.get(kind) ?? []) {
      if (!r.test(subject)) continue;
      if (
        !best ||
        (best.anyTier && !r.anyTier) ||
        (best.anyTier === r.anyTier && (SEVERITY[r.effect] > SEVERITY[best.effect] || (r.effect === best.effect && r.order < best.order)))
      )
        best = r;
    }
    if (!best) return { ...DEFAULTS[kind] };
    return { effect: best.effect, rule: best.text, line: best.line, reason: `matched ${best.text}` };
  }

  /** The rules of a kind (optionally one effect), in order, with mapped lines. */
  rules(kind?: RuleKind, effect?: Effect): PolicyRule[] {
    return this.all.filter((r) => (kind === undefined || r.kind === kind) && (effect === undefined || r.effect === effect));
  }

  /**
   * Path patterns of read/write rules with `~` expanded (for the sandbox: deny → mask,
   * allow → grant). Bare names (no `/`) are returned as `**∕NAME`.
   */
  pathPatterns(kind: 'read' | 'write', effect: Effect): string[] {
    return this.rules(kind, effect).map((r) => {
      const p = r.pattern.includes('/') ? r.pattern : `**/${r.pattern}`;
      const home = this.options.home;
      if (home === undefined) return p;
      return p === '~' ? home : p.startsWith('~/') ? `${home.replace(/\/+$/, '')}${p.slice(1)}` : p;
    });
  }

  /** `deny exec` patterns split into program names (match any basename) and path globs. */
  deniedPrograms(): { names: string[]; paths: string[] } {
    const deny = this.rules('exec', 'deny').map((r) => r.pattern);
    return { names: deny.filter((p) => !p.includes('/')), paths: deny.filter((p) => p.includes('/')) };
  }
}

/** Compiles rules (from parseRules) once; decisions are then answered from the indexes. */
export function compilePolicy(rules: readonly Rule[], options: CompileOptions = {}): Policy {
  return new Policy(rules, options);
}
