/**
 * The egress proxy's ports and options. Everything environment-specific (the log, DNS, the
 * dialer, the approvals queue, pausing an agent, CPU statistics) comes in through here so the
 * engine wires real ones and tests wire loopback-only ones.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Answer } from '../../shared/approval.schema.js';
import type { NewEvent } from '../../shared/events.schema.js';
import type { Policy } from '../policy/index.js';
import type { AgentCa, HeaderBinding } from '../vault/index.js';

/** One resolved address (as `dns.lookup(..., { all: true })` returns them). */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name on the host side (never called for IP literals). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

/** Opens a TCP connection to exactly this address (an IP literal: no second resolution). */
export type Dialer = (target: { address: string; family: 4 | 6; port: number }) => Socket;

/** What an approval is about. */
export type ApprovalKind = 'net' | 'action' | 'secret';

/** The outcome of an ask: the user's answer or `timeout` (denied once, no rule). */
export type ApprovalOutcome = Answer | 'timeout';

/** A request for the user's approval. */
export interface ApprovalRequest {
  agent: string;
  run?: string | null;
  kind: ApprovalKind;
  /** `host:port` (IPv6 as `[v6]:port`), an action name or a secret name. */
  target: string;
  detail: string;
  /** The rule that asked, as written, or null for a default ask. */
  rule: string | null;
  /** How long to wait for an answer (default: the queue's default, 60 s). */
  timeoutMs?: number;
  /** Resolves as `deny` when aborted (the client went away, the network was switched off). */
  signal?: AbortSignal;
  /** Told why (synchronously, before request returns) when an earlier answer held for this target decides without a prompt (issue 16). */
  onHeld?(reason: string): void;
}

/** The approvals port the proxy asks through (the engine passes its `ApprovalQueue`). */
export interface ApprovalsPort {
  request(req: ApprovalRequest): Promise<ApprovalOutcome>;
}

/** Tripwire alert types raised by the egress module. */
export type EgressAlertType = 'private-probe' | 'ssh-egress' | 'denied-burst' | 'cpu-sustained' | 'control-plane' | 'proxy' | 'secret-exfil' | 'ask-flood' | 'decoy-read';

/** Per alert type: raise it at all, and pause the agent when it fires. */
export interface AlertSetting {
  enabled: boolean;
  autoPause: boolean;
}

/** Tripwire configuration (every field optional; see DEFAULT_ALERTS). */
export interface AlertConfig {
  types?: Partial<Record<EgressAlertType, Partial<AlertSetting>>>;
  /** denied-burst: this many denials … */
  burstCount?: number;
  /** … within this window. */
  burstWindowMs?: number;
  /** The same alert type for the same agent is raised at most once per this window. */
  repeatWindowMs?: number;
}

/** The ports and settings of the egress module (one per engine). */
export interface EgressDeps {
  /** Appends an event to the activity log. */
  log(e: NewEvent): unknown;
  /** The approvals queue (ApprovalQueue). */
  approvals: ApprovalsPort;
  /** Pauses (freezes) the agent; called by tripwires configured to auto-pause. */
  pause?(agent: string, reason: string): void | Promise<void>;
  /** Default: `dns.lookup(host, { all: true })`. */
  resolve?: Resolver;
  /** Default: `net.connect({ host: address, port })`. */
  dial?: Dialer;
  /** TCP ports of Paddock's own control plane (the web console); never reachable on a local address. */
  controlPorts?: () => readonly number[];
  /** The host's own addresses; default: every address of `os.networkInterfaces()`. */
  ownAddresses?: () => readonly string[];
  alerts?: AlertConfig;
  /** Events of the same agent, kind, host and port within this window fold into one (default 1000 ms). */
  aggregateWindowMs?: number;
  /** At most this many net events per agent and window before the rest fold per kind (default 50). */
  aggregateBudget?: number;
  /** An allowed connection still open after this long gets an event at open as well (default 5000 ms). */
  longLivedMs?: number;
  /** Open connections one agent may hold to its proxy (default 1024; tests lower it). */
  maxConnections?: number;
  /** A connection silent this long before its first byte is closed (default 30 000 ms; tests lower it). */
  firstByteTimeoutMs?: number;
  /** Milliseconds clock (tests). Default Date.now. */
  now?: () => number;
  /**
   * (TLS interception) The CAs that upstream servers' certificates are verified against, in
   * place of Node's bundled root store. Tests only (a loopback server with its own test CA);
   * leave unset in production. Verification is never switched off.
   */
  upstreamCa?: readonly string[];
}

/**
 * (TLS interception) An agent's header secrets, for the proxy to inject (see intercept.ts).
 * Given only when the agent has `as: header` secrets.
 */
export interface EgressSecrets {
  /** The agent's header secrets with their values (host side only). */
  bindings: readonly HeaderBinding[];
  /** The agent's interception CA (createAgentCa without `permitted` when `intercept` is `all`). */
  ca: AgentCa;
  /** Called for every injection (the engine logs `secret.use` with `as: header`). */
  onUse?(name: string, host: string): void;
  /** `deny`/`ask secret NAME`: resolves false to leave the placeholder (the engine asks the user). Default: allowed. */
  decide?(name: string, host: string): Promise<boolean>;
  /**
   * Which TLS connections are terminated: `all` (default; every CONNECT that speaks TLS, so a
   * placeholder going anywhere is seen) or `bound` (only hosts a secret is bound to).
   */
  intercept?: 'all' | 'bound';
  /**
   * An intercepted TLS request carrying a placeholder to a host it is not bound to: `forward`
   * it unchanged (default, the acceptance) or `refuse` it with 403. Either way the
   * placeholder is never replaced and a `secret-exfil` alert is raised (auto-pause by default).
   * Plain-HTTP requests carrying a placeholder are always refused.
   */
  exfil?: 'forward' | 'refuse';
}

/** How an agent's socket behaves. */
export type ProxyMode = 'proxy' | 'gate';

/** Opening the egress path of one running agent. */
export interface OpenAgentOptions {
  agent: string;
  run?: string | null;
  /**
   * A directory only this agent's sandbox sees (bound at `/run/paddock/net`); the socket is
   * `<socketDir>/proxy.sock`. A directory is bound (not the socket file) so a restarted
   * listener's new socket is visible inside without restarting the sandbox.
   */
  socketDir: string;
  /** The agent's compiled rules; replace with setPolicy when they change. */
  policy: Policy;
  /** `proxy`: network on at start (full proxy). `gate`: network off at start, only the ask gate answers. */
  mode: ProxyMode;
  /** Seconds an ask waits (profile `approvals.timeout`, default 60). */
  approvalTimeoutS?: number;
  /** The agent's header secrets: TLS is intercepted to inject them (absent: every CONNECT stays opaque). */
  secrets?: EgressSecrets;
  /** Decoy credential values placed in the agent's home (issue 18): seen in a request, it is refused and reported. */
  decoys?: readonly string[];
  /** Learning mode at start (issue 18); flip it live with Egress.setLearning. */
  learning?: boolean;
}

/** What `status(agent)` reports. */
export interface AgentNetStatus {
  agent: string;
  mode: ProxyMode;
  network: boolean;
  paused: boolean;
  offline: boolean;
  connections: number;
  socketPath: string;
}

/** A net event before aggregation. */
export interface NetEvent {
  kind: 'net.allow' | 'net.deny' | 'net.ask' | 'net.error';
  agent: string;
  run?: string | null;
  host: string;
  port: number;
  address: string | null;
  rule: string | null;
  line: number | null;
  reason: string;
  bytesUp?: number;
  bytesDown?: number;
  durationMs?: number;
  [extra: string]: unknown;
}

/** Where a connection's net events go (the engine's NetEventAggregator). */
export interface NetEventSink {
  emit(e: NetEvent): void;
}

/**
 * One agent's egress as the connection handlers see it (http-proxy, socks, gate, connection,
 * tunnel, intercept*). The concrete AgentProxy implements it; the handlers depend on this
 * interface, never on agent-proxy.ts, so the imports flow one way:
 * `agent-proxy → http-proxy | socks → connection → tunnel | intercept`.
 */
export interface ProxyAgent {
  readonly agent: string;
  readonly run: string | null;
  /** Learning mode (issue 18): net events say so. */
  readonly learning: boolean;
  readonly policy: Policy;
  readonly secrets: EgressSecrets | null;
  readonly decoys: readonly string[];
  readonly approvalTimeoutMs: number;
  readonly events: NetEventSink;
  readonly approvals: ApprovalsPort;
  readonly resolve: Resolver;
  readonly dial: Dialer;
  readonly longLivedMs: number;
  readonly upstreamCa: readonly string[] | undefined;
  ownAddresses(): ReadonlySet<string>;
  controlPorts(): readonly number[];
  /** Raises an alert for this agent; true when the agent was paused by it. */
  alert(type: EgressAlertType, message: string, extra?: Record<string, unknown>): boolean;
  /** Counts a denial (denied-burst tripwire). */
  denied(): void;
  /** Appends an event directly (the ask gate's action.* events); never throws. */
  log(e: NewEvent): void;
  /** Why new connections are refused right now, or null when they may be decided. */
  blockedReason(): string | null;
  /** Registers a live socket (or relay) so switching off can cut it; returns the unregister function. */
  track(s: { destroy(): void }): () => void;
  /** Marks a client socket whose tunnel has started. */
  tunnelStarted(s: Duplex): void;
  /** Takes one of the agent's `kind` slots (at most `max` at once); false when none is free. */
  takeSlot(kind: SlotKind, max: number): boolean;
  /** Gives back a slot taken with takeSlot. */
  releaseSlot(kind: SlotKind): void;
}

/** Per-agent limited resources: native relays (host processes) and pending ask-gate requests. */
export type SlotKind = 'relay' | 'gate';
