/**
 * One outgoing connection of an agent, shared by CONNECT, SOCKS5 and plain-HTTP requests:
 * decide (with the ask flow), report the decision and the tripwires, dial exactly the vetted
 * address (tunnel.ts then pipes the bytes).
 */
import type { Socket } from 'node:net';
import { approved } from './approvals.js';
import { checkDecoys } from './decoy-scan.js';
import { netEvent, proxyDenial } from './net-events.js';
import { formatTarget, type Target } from './target.js';
import { vetConnection, type VetResult } from './vet.js';
import type { ProxyAgent } from './types.js';

/** A refused connection: the HTTP status and SOCKS reply code to answer with, and the message. */
export interface Refusal {
  ok: false;
  status: 400 | 403 | 502 | 503 | 504;
  socks: number;
  message: string;
}

/** An allowed connection with its connected upstream socket. */
export interface Opened {
  ok: true;
  vet: VetResult;
  upstream: Socket;
  started: number;
}

const DIAL_TIMEOUT_MS = 15_000;

/** `paddock: denied net HOST:PORT by rule "…" (line N): reason`. */
export function denialMessage(target: Target, v: Pick<VetResult, 'decision'>): string {
  const d = v.decision;
  const by = d.rule ? ` by rule "${d.rule}"${d.line !== null ? ` (line ${d.line})` : ''}` : '';
  return `paddock: denied net ${formatTarget(target)}${by}: ${d.reason}`;
}

/** Decides a connection and, when allowed, dials the vetted address. Never throws. */
export async function openConnection(p: ProxyAgent, target: Target, via: string, signal: AbortSignal): Promise<Opened | Refusal> {
  const blocked = p.blockedReason();
  if (blocked) {
    p.events.emit(netEvent(p, 'net.deny', target, proxyDenial(blocked), { via }));
    return { ok: false, status: 403, socks: 0x02, message: `paddock: denied net ${formatTarget(target)}: ${blocked}` };
  }
  // Threat: a decoy value smuggled out in a name (CONNECT/SOCKS target, a DNS label).
  const decoy = checkDecoys(p, target, via, [target.host]);
  if (decoy) return { ok: false, status: 403, socks: 0x02, message: decoy };
  const held: { reason: string | null } = { reason: null };
  const v = await vetConnection(
    {
      policy: p.policy,
      resolve: p.resolve,
      ownAddresses: p.ownAddresses(),
      controlPorts: p.controlPorts(),
      learning: p.learning,
      ask: async (decision) => {
        const asked = p.approvals.request({
          agent: p.agent, run: p.run, kind: 'net', target: formatTarget(target), detail: `${via} ${formatTarget(target)}`,
          rule: decision.rule, timeoutMs: p.approvalTimeoutMs, signal,
          onHeld: (reason) => {
            held.reason = reason;
          },
        });
        // A retry decided by an earlier answer (told synchronously) is no new ask: only its net.deny/allow is logged.
        if (held.reason === null) p.events.emit(netEvent(p, 'net.ask', target, { address: null, decision }, { via }));
        const outcome = await asked;
        return approved(outcome);
      },
    },
    target,
  ).catch((err: unknown): VetResult => ({
    effect: 'deny', decision: { effect: 'deny', rule: null, line: null, reason: `internal error while deciding (${String(err)})` },
    address: null, family: null, asked: false, probe: null, controlPlane: false, sshIntended: false,
  }));
  // An earlier answer decided without a prompt: the event says which (issue 16).
  if (held.reason !== null) v.decision = { ...v.decision, reason: `${v.decision.reason} (${held.reason})` };
  // The switch may have flipped (or the agent been paused) while we resolved or asked.
  const late = p.blockedReason();
  if (v.failed && !late) return failure(p, target, v, via, v.failed, `paddock: could not resolve ${formatTarget(target)}: ${v.failed}`);
  if (v.effect === 'deny' || late) {
    const shown = late && v.effect !== 'deny' ? { ...v, decision: { effect: 'deny' as const, rule: null, line: null, reason: late } } : v;
    p.events.emit(netEvent(p, 'net.deny', target, shown, { via }));
    reportDenialTripwires(p, target, v);
    return { ok: false, status: 403, socks: 0x02, message: denialMessage(target, shown) };
  }
  if (target.port === 22 && !v.sshIntended) {
    // Threat: a reverse SSH tunnel out of the sandbox (ROME); a rule naming port 22 explicitly means it is intended.
    const paused = p.alert('ssh-egress', `connection to ${formatTarget(target)} (port 22, SSH)`, { host: target.host, port: 22 });
    if (paused) return refuseLate(p, target, v, via, 'the agent was paused by the ssh-egress tripwire');
  }
  if (signal.aborted) return refuseLate(p, target, v, via, 'the client went away before the connection was opened');
  try {
    let used = v;
    const upstream = await dialVetted(p, v, target.port).catch((err: unknown) => {
      // host.paddock.internal: a service bound to ::1 only (e.g. a dev server on "localhost").
      if (!v.fallback || (err as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw err;
      used = { ...v, address: v.fallback.address, family: v.fallback.family };
      return dialVetted(p, used, target.port);
    });
    return { ok: true, vet: used, upstream, started: Date.now() };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return failure(p, target, v, via, code, `paddock: could not connect to ${formatTarget(target)} (${v.address ?? '?'}): ${code}`);
  }
}

/**
 * An allowed connection that failed upstream (DNS, connect refused, timeout): answered 502/504
 * and logged as `net.error`, never as a denial (the agent must not read it as a policy refusal).
 */
function failure(p: ProxyAgent, target: Target, v: VetResult, via: string, code: string, message: string): Refusal {
  const reason = v.failed ? v.decision.reason : `${v.decision.reason}; could not connect (${code})`;
  p.events.emit(netEvent(p, 'net.error', target, { ...v, decision: { ...v.decision, reason } }, { via, error: code }));
  const socks = code === 'ECONNREFUSED' ? 0x05 : code === 'ENETUNREACH' ? 0x03 : code === 'ETIMEDOUT' || v.failed ? 0x04 : 0x01;
  const timedOut = code === 'ETIMEDOUT' || code === 'EAI_AGAIN';
  return { ok: false, status: timedOut ? 504 : 502, socks, message };
}

function refuseLate(p: ProxyAgent, target: Target, v: VetResult, via: string, reason: string): Refusal {
  const shown = { ...v, decision: { effect: 'deny' as const, rule: null, line: null, reason } };
  p.events.emit(netEvent(p, 'net.deny', target, shown, { via }));
  return { ok: false, status: 403, socks: 0x02, message: denialMessage(target, shown) };
}

function reportDenialTripwires(p: ProxyAgent, target: Target, v: VetResult): void {
  const t = formatTarget(target);
  if (v.controlPlane) p.alert('control-plane', `attempt to reach Paddock's own control plane at ${t}`, { host: target.host, port: target.port });
  else if (v.probe) p.alert('private-probe', `attempt to reach ${t}${v.address && v.address !== target.host ? ` (${v.address})` : ''}: ${v.decision.reason}`, { host: target.host, port: target.port, address: v.address });
  if (target.port === 22) p.alert('ssh-egress', `attempt to reach ${t} (port 22, SSH): denied`, { host: target.host, port: 22 });
  p.denied();
}

/** Dials exactly the vetted address (an IP literal: no second DNS resolution). */
function dialVetted(p: ProxyAgent, v: VetResult, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = p.dial({ address: v.address!, family: v.family!, port });
    // A server that half-closes (answered, still reading) keeps receiving the client's upload.
    s.allowHalfOpen = true;
    const timer = setTimeout(() => {
      s.destroy();
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    }, DIAL_TIMEOUT_MS);
    const untrack = p.track(s);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeListener('error', onError);
      s.once('close', untrack);
      resolve(s);
    });
    const onError = (err: Error): void => {
      clearTimeout(timer);
      untrack();
      reject(err);
    };
    s.once('error', onError);
  });
}
