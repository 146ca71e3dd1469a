/**
 * Decoy values (issue 18) in what the proxy can read of a request: CONNECT/SOCKS/HTTP target
 * names, plain-HTTP request lines and headers, and intercepted TLS request lines and headers.
 * Bodies and opaque TLS tunnels are not scanned. A hit raises `secret-exfil` and refuses the request.
 */
import { netEvent, proxyDenial } from './net-events.js';
import { formatTarget, type Target } from './target.js';
import type { ProxyAgent } from './types.js';

/** The text and its percent-decoded form (threat: an encoded value slipping past the scan). */
function forms(s: string): string[] {
  try {
    const d = decodeURIComponent(s.replace(/\+/g, ' '));
    return d !== s ? [s, d] : [s];
  } catch {
    return [s];
  }
}

/** Target names compare without case (DNS names are case-insensitive). */
function found(decoys: readonly string[], texts: readonly string[]): boolean {
  for (const t of texts) for (const f of forms(t)) for (const d of decoys) if (f.includes(d) || f.toLowerCase().includes(d.toLowerCase())) return true;
  return false;
}

/**
 * Returns the refusal message when one of the run's decoy values is in `texts` (after raising
 * `secret-exfil`), or null. Threat: an agent sending credentials it found (decoys, valid
 * nowhere) off the machine.
 */
export function checkDecoys(p: ProxyAgent, target: Target, via: string, texts: readonly string[]): string | null {
  if (p.decoys.length === 0 || !found(p.decoys, texts)) return null;
  const t = formatTarget(target);
  p.alert('secret-exfil', `a decoy credential from the agent's home was sent toward ${t} (${via}); the request was refused. The agent read a credential it was never given and tried to send it out.`, {
    reason: 'decoy', host: target.host, port: target.port, via,
  });
  p.events.emit(netEvent(p, 'net.deny', target, proxyDenial('the request carries a decoy credential'), { via }));
  return `paddock: refused: this request carries a decoy credential (valid nowhere); the attempt was reported`;
}
