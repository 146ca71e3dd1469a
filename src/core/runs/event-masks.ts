/**
 * Masks the values of the secrets delivered to an agent's run in what the agent makes Paddock write
 * down about it: every event's text (a command line, a file name, a host, an ask's detail, an alert)
 * and the asks it raises.
 *
 * Threat: an `env` or `file` secret passed on a command line (`curl -H "Authorization: $TOKEN"`,
 * `git clone https://x:$TOKEN@…`), used as a file name or a host label, or sent to the ask gate, was
 * kept in clear in the append-only log (which cannot be cleaned without breaking its chain), its
 * exports, `paddock events`, the activity feed and the approvals table. The recordings already
 * showed it as `[secret NAME]`; the log now does the same, with the same matching.
 */
import type { NewEvent } from '../../shared/events.schema.js';
import { OutputMasker, type SecretMask } from './output/mask.js';

/** Fields Paddock itself fills with names and ids, never agent text: left as they are. */
const OWN_FIELDS = new Set(['kind', 'agent', 'run', 'ts']);
/** Deepest nesting walked (events are flat records with small arrays and objects). */
const MAX_DEPTH = 8;

/** The masks of each agent's latest run (an agent runs once at a time). */
export class EventMasks {
  private readonly byAgent = new Map<string, OutputMasker>();

  /**
   * The secrets of the agent's run that is starting (none: forgets the previous run's). Kept after
   * the run ends, so its late events (the end-of-run checks, an ask answered as it ends) are masked
   * too, until the agent's next run replaces them.
   */
  set(agent: string, masks: readonly SecretMask[]): void {
    // Threat: host names are compared and logged lowercased (`net.deny` reason: "no rule allows
    // tokh8-…example.test"), so a mixed-case value used as a host label reached the log in lower
    // case (attack pass H): its lowercase form is masked too.
    const lower = masks.flatMap((m) => {
      const v = Buffer.isBuffer(m.value) ? m.value.toString('utf8') : m.value;
      return v.toLowerCase() !== v ? [{ name: m.name, value: v.toLowerCase() }] : [];
    });
    if (masks.length > 0) this.byAgent.set(agent, new OutputMasker([...masks, ...lower]));
    else this.byAgent.delete(agent);
  }

  /** `text` with the agent's secret values shown as `[secret NAME]`. */
  text(agent: string | null | undefined, text: string): string {
    const m = agent ? this.byAgent.get(agent) : undefined;
    return m ? m.maskText(text) : text;
  }

  /** The event with every agent-made string masked (the same object when there is nothing to mask). */
  event<E extends NewEvent>(e: E): E {
    const m = e.agent ? this.byAgent.get(e.agent) : undefined;
    if (!m) return e;
    let changed = false;
    const walk = (v: unknown, depth: number): unknown => {
      if (typeof v === 'string') {
        const out = m.maskText(v);
        if (out !== v) changed = true;
        return out;
      }
      if (depth >= MAX_DEPTH || v === null || typeof v !== 'object') return v;
      if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
    };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) out[k] = OWN_FIELDS.has(k) ? v : walk(v, 0);
    return changed ? (out as E) : e;
  }
}
