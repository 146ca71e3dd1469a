/**
 * The egress module: one proxy listener per running agent, the live network switches, the
 * tripwires and the flood-controlled net events. The engine creates one with createEgress.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import { PaddockError } from '../../shared/errors.js';
import { parseIp, type Policy } from '../policy/index.js';
import { AgentProxy, FIRST_BYTE_TIMEOUT_MS, MAX_CONNECTIONS } from './agent-proxy.js';
import { NetEventAggregator } from './net-events.js';
import { Tripwires } from './tripwires.js';
import type { AgentNetStatus, Dialer, EgressAlertType, EgressDeps, OpenAgentOptions, Resolver } from './types.js';

const defaultResolve: Resolver = async (host) => {
  const all = await lookup(host, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

// The address is an IP literal already vetted: net.connect does no DNS lookup for it.
const defaultDial: Dialer = ({ address, port }) => net.connect({ host: address, port, noDelay: true });

/** Every address of this machine's interfaces, canonical (cached for 5 s). */
function interfaceAddresses(): () => ReadonlySet<string> {
  let cache: { at: number; set: Set<string> } | null = null;
  return () => {
    const t = Date.now();
    if (cache && t - cache.at < 5000) return cache.set;
    const set = new Set<string>();
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) {
        const ip = parseIp(a.address);
        if (ip) set.add(ip.text);
      }
    }
    cache = { at: t, set };
    return set;
  };
}

/** The egress module's API (see createEgress). */
export class Egress {
  private readonly agents = new Map<string, AgentProxy>();
  private offline = false;
  /** Flood-controlled net events (exposed for flushing in tests and at shutdown). */
  readonly events: NetEventAggregator;
  readonly tripwires: Tripwires;
  private readonly own: () => ReadonlySet<string>;

  constructor(private readonly deps: EgressDeps) {
    this.events = new NetEventAggregator((e) => deps.log(e), { windowMs: deps.aggregateWindowMs, budget: deps.aggregateBudget, now: deps.now });
    this.tripwires = new Tripwires({
      log: (e) => deps.log(e),
      config: deps.alerts,
      now: deps.now,
      pause: (agent, reason) => {
        // Refuse new connections at once; the engine freezes the processes.
        const p = this.agents.get(agent);
        if (p) p.paused = true;
        return deps.pause?.(agent, reason);
      },
    });
    const ifaces = interfaceAddresses();
    this.own = deps.ownAddresses
      ? () => new Set(deps.ownAddresses!().map((a) => parseIp(a)?.text).filter((a): a is string => !!a))
      : ifaces;
  }

  /**
   * Opens the egress path of a running agent: binds `<socketDir>/proxy.sock`. In `gate` mode
   * (network off at start) only the ask gate answers on it. Throws if the agent already has one.
   */
  async open(o: OpenAgentOptions): Promise<{ socketPath: string }> {
    if (this.agents.has(o.agent)) throw new PaddockError('E_ALREADY_RUNNING', `agent "${o.agent}" already has an egress proxy; stop its run first`);
    const p = new AgentProxy(o.agent, o.run ?? null, o.mode, o.socketDir, o.policy, (o.approvalTimeoutS ?? 60) * 1000, {
      events: this.events,
      approvals: this.deps.approvals,
      resolve: this.deps.resolve ?? defaultResolve,
      dial: this.deps.dial ?? defaultDial,
      ownAddresses: this.own,
      controlPorts: () => this.deps.controlPorts?.() ?? [],
      alert: (agent, run, type, message, extra) => this.tripwires.raise(agent, run, type, message, extra),
      denied: (agent, run) => void this.tripwires.denial(agent, run),
      log: (e) => void this.deps.log(e),
      allOffline: () => this.offline,
      longLivedMs: this.deps.longLivedMs ?? 5000,
      maxConnections: this.deps.maxConnections ?? MAX_CONNECTIONS,
      firstByteTimeoutMs: this.deps.firstByteTimeoutMs ?? FIRST_BYTE_TIMEOUT_MS,
      upstreamCa: this.deps.upstreamCa,
    });
    // TLS interception for header secrets (intercept.ts).
    p.secrets = o.secrets && o.secrets.bindings.length > 0 ? o.secrets : null;
    p.decoys = (o.decoys ?? []).filter((d) => d.length >= 16);
    p.learning = o.learning === true;
    this.agents.set(o.agent, p);
    try {
      await p.listen();
    } catch (err) {
      this.agents.delete(o.agent);
      await p.close();
      throw err;
    }
    return { socketPath: p.socketPath };
  }

  private get(agent: string): AgentProxy {
    const p = this.agents.get(agent);
    if (!p) throw new PaddockError('E_NOT_FOUND', `agent "${agent}" is not running, so it has no network to switch; start it first`);
    return p;
  }

  /** Replaces the agent's compiled rules (after a rule change); applies to new connections. */
  setPolicy(agent: string, policy: Policy): void {
    const p = this.agents.get(agent);
    if (p) p.policy = policy;
  }

  /** The live network switch: off refuses new connections at once and cuts every open tunnel. */
  setNetwork(agent: string, on: boolean): void {
    const p = this.get(agent);
    p.network = on;
    if (!on) p.cutAll();
  }

  /** Learning mode, live (new connections); no-op when the agent is not running. */
  setLearning(agent: string, on: boolean): void {
    const p = this.agents.get(agent);
    if (p) p.learning = on;
  }

  /** The global switch: every agent offline (tunnels cut) or back to its own switch. */
  setAllOffline(offline: boolean): void {
    this.offline = offline;
    if (offline) for (const p of this.agents.values()) p.cutAll();
  }

  /** True while the global offline switch is on. */
  get allOffline(): boolean {
    return this.offline;
  }

  /** Refuses the agent's new connections (its processes are being frozen); tunnels stay. */
  pause(agent: string): void {
    const p = this.agents.get(agent);
    if (p) p.paused = true;
  }

  /** Lets the agent's connections through again after a pause. */
  resume(agent: string): void {
    const p = this.agents.get(agent);
    if (p) p.paused = false;
  }

  /** Rebuilds the agent's listener on the same socket path. */
  restart(agent: string): Promise<void> {
    return this.get(agent).restart();
  }

  /** Raises an alert for an agent through the tripwires (for the engine's own watchers). */
  alert(agent: string, type: EgressAlertType, message: string, extra?: Record<string, unknown>): boolean {
    return this.tripwires.raise(agent, this.agents.get(agent)?.run ?? null, type, message, extra);
  }

  /** The agent's switch state, or null when it has no proxy. */
  status(agent: string): AgentNetStatus | null {
    const p = this.agents.get(agent);
    if (!p) return null;
    return { agent, mode: p.mode, network: p.network, paused: p.paused, offline: this.offline, connections: p.connections, socketPath: p.socketPath };
  }

  /** The agent's proxy object (tests and the engine's diagnostics). */
  proxy(agent: string): AgentProxy | undefined {
    return this.agents.get(agent);
  }

  /** Closes an agent's proxy (its run ended): cuts its connections and removes the socket. */
  async close(agent: string): Promise<void> {
    const p = this.agents.get(agent);
    if (!p) return;
    this.agents.delete(agent);
    await p.close();
    this.tripwires.forget(agent);
  }

  /** Closes everything and writes the folded events. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.agents.keys()].map((a) => this.close(a)));
    this.events.close();
  }
}

/** Creates the egress module (one per engine). */
export function createEgress(deps: EgressDeps): Egress {
  return new Egress(deps);
}
