/**
 * Learning mode's one decision: which asks it may answer "allow" by itself. Only a public host
 * qualifies; everything else is decided exactly as without learning.
 * Threat: learning mode must never become a way to reach the user's LAN, the host or a cloud
 * metadata service — so private, loopback, link-local, metadata and special addresses,
 * `host.paddock.internal`, `localhost` names and every `deny` stay as they are.
 */
import type { Decision } from '../../shared/rules.schema.js';
import { classifyAddress, isHostInternal, isMetadataName, type IpAddress } from '../policy/index.js';

/** True for a (normalised) name learning may answer for: not the user's computer, a metadata service or a local name. */
export function learnableName(name: string): boolean {
  if (isHostInternal(name) || isMetadataName(name)) return false;
  // Threat: names that mean "this machine" or the LAN by convention (their addresses are checked too).
  return !(name === 'localhost' || name.endsWith('.localhost') || name.endsWith('.local') || name.endsWith('.internal') || !name.includes('.'));
}

/** True for an address learning may answer for: a public one only. */
export function learnableAddress(ip: IpAddress): boolean {
  return classifyAddress(ip) === 'public';
}

/**
 * What learning makes of `decision` for a connection whose name (if any) and every dialled address
 * are given: an `ask` becomes an `allow` when all of them are learnable; anything else is returned
 * unchanged (a deny stays a deny, an allow an allow).
 */
export function learnDecision(decision: Decision, name: string | null, addresses: readonly IpAddress[]): { decision: Decision; learned: boolean } {
  if (decision.effect !== 'ask') return { decision, learned: false };
  if (name !== null && !learnableName(name)) return { decision, learned: false };
  if (addresses.length === 0 || !addresses.every(learnableAddress)) return { decision, learned: false };
  return { decision: { ...decision, effect: 'allow', reason: learnedReason(decision) }, learned: true };
}

/** The reason a learned `net.allow` records. */
export function learnedReason(d: Decision): string {
  return `learning: would have asked${d.rule ? ` (${d.rule}${d.line !== null ? `, line ${d.line}` : ''})` : ''}; allowed and recorded`;
}
