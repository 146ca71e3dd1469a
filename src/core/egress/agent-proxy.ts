/**
 * One agent's listener: a Unix socket (mode 0600 in a 0700 directory) speaking HTTP proxy and
 * SOCKS5 (told apart by the first byte). The agent's identity is the socket a connection came
 * in on — nothing the client says. If the listener dies it is rebuilt on the same path and an
 * alert is raised; meanwhile the agent has no network (there is no other route).
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import net, { type Socket } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { PaddockError } from '../../shared/errors.js';
import type { NewEvent } from '../../shared/events.schema.js';
import type { Policy } from '../policy/index.js';
import { fastConnectHead } from './connect-head.js';
import { handleConnect, handleRequest } from './http-proxy.js';
import { rawReply } from './http-wire.js';
import type { NetEventAggregator } from './net-events.js';
import { handleSocks } from './socks.js';
import type { ApprovalsPort, Dialer, EgressAlertType, EgressSecrets, ProxyAgent, ProxyMode, Resolver, SlotKind } from './types.js';

/** Open connections one agent may hold to its proxy (each may also hold an upstream socket). */
export const MAX_CONNECTIONS = 1024;
/** A connection that sends nothing for this long before its first byte is closed. */
export const FIRST_BYTE_TIMEOUT_MS = 30_000;

/** The socket's file name inside the agent's socket directory. */
export const SOCKET_NAME = 'proxy.sock';

/** What an AgentProxy needs from the egress module. */
export interface AgentProxyEnv {
  events: NetEventAggregator;
  approvals: ApprovalsPort;
  resolve: Resolver;
  dial: Dialer;
  ownAddresses(): ReadonlySet<string>;
  controlPorts(): readonly number[];
  /** Raises an alert; returns true when the agent was paused by it. */
  alert(agent: string, run: string | null, type: EgressAlertType, message: string, extra?: Record<string, unknown>): boolean;
  denied(agent: string, run: string | null): void;
  /** Appends an event directly (the ask gate's action.* events; net events go through `events`). */
  log(e: NewEvent): void;
  allOffline(): boolean;
  longLivedMs: number;
  maxConnections: number;
  firstByteTimeoutMs: number;
  /** (TLS interception) CAs for upstream verification instead of the bundled roots (tests). */
  upstreamCa?: readonly string[];
}

/** The per-agent proxy. Handlers read its state; the Egress flips its switches. */
export class AgentProxy implements ProxyAgent {
  readonly socketPath: string;
  policy: Policy;
  network: boolean;
  paused = false;
  /** Learning mode (issue 18): asks for public hosts are allowed and recorded (learn/decide.ts). Live. */
  learning = false;
  private floodReported = false;
  /** Slots in use: bulk tunnels handed to a native relay, pending ask-gate requests. */
  private readonly slots: Record<SlotKind, number> = { relay: 0, gate: 0 };
  /** (TLS interception) The agent's header secrets, or null: every CONNECT stays an opaque tunnel. */
  secrets: EgressSecrets | null = null;
  /** Decoy values of the run (issue 18): a request carrying one is refused (`secret-exfil`). */
  decoys: readonly string[] = [];
  private server: net.Server | null = null;
  /** Listeners made inside the agent's own network namespace (ns-listener.ts), served like the socket. */
  private readonly adopted = new Set<net.Server>();
  private readonly http: http.Server;
  private readonly live = new Set<{ destroy(): void }>();
  private readonly tunnels = new WeakSet<Duplex>();
  private closing = false;
  private ino: number | null = null;
  private health: NodeJS.Timeout | null = null;
  private restarting: Promise<void> | null = null;

  constructor(
    readonly agent: string,
    readonly run: string | null,
    readonly mode: ProxyMode,
    readonly socketDir: string,
    policy: Policy,
    readonly approvalTimeoutMs: number,
    private readonly env: AgentProxyEnv,
  ) {
    this.socketPath = path.join(socketDir, SOCKET_NAME);
    this.policy = policy;
    this.network = mode === 'proxy';
    // requestTimeout 0: a request held for an approval may wait up to the approval timeout.
    this.http = http.createServer({ requestTimeout: 0, headersTimeout: 30_000, maxHeaderSize: 32 * 1024 });
    this.http.on('request', (req, res) => {
      this.headArrived(req.socket);
      void handleRequest(this, req, res).catch(() => res.destroy());
    });
    this.http.on('connect', (req, sock: Duplex, head: Buffer) => {
      this.headArrived(req.socket);
      void handleConnect(this, req.url ?? '', sock, head).catch(() => sock.destroy());
    });
    // Malformed HTTP gets a 400 that says what was wrong (the parser's reason), then the connection ends.
    this.http.on('clientError', (err: NodeJS.ErrnoException, sock: Duplex) => {
      const why: Record<string, string> = {
        HPE_HEADER_OVERFLOW: 'the request headers are larger than 32 KiB',
        HPE_INVALID_METHOD: 'not an HTTP request (send an absolute http:// URL, CONNECT host:port, or SOCKS5)',
        HPE_INVALID_URL: 'the request target is not a valid URL or host:port',
        HPE_INVALID_HEADER_TOKEN: 'a header line is malformed',
        ERR_HTTP_REQUEST_TIMEOUT: 'the request headers did not arrive in time',
      };
      rawReply(sock, 400, `paddock: bad request: ${why[err.code ?? ''] ?? `malformed HTTP (${err.code ?? 'parse error'})`}`);
    });
  }

  get events(): NetEventAggregator {
    return this.env.events;
  }
  get approvals(): ApprovalsPort {
    return this.env.approvals;
  }
  get resolve(): Resolver {
    return this.env.resolve;
  }
  get dial(): Dialer {
    return this.env.dial;
  }
  get longLivedMs(): number {
    return this.env.longLivedMs;
  }
  /** (TLS interception) CAs for upstream verification (undefined: Node's bundled roots). */
  get upstreamCa(): readonly string[] | undefined {
    return this.env.upstreamCa;
  }
  ownAddresses(): ReadonlySet<string> {
    return this.env.ownAddresses();
  }
  controlPorts(): readonly number[] {
    return this.env.controlPorts();
  }
  alert(type: EgressAlertType, message: string, extra?: Record<string, unknown>): boolean {
    return this.env.alert(this.agent, this.run, type, message, extra);
  }
  denied(): void {
    this.env.denied(this.agent, this.run);
  }
  /** Appends an event; a failing log never takes the gate down (the store raises its own alert). */
  log(e: NewEvent): void {
    try {
      this.env.log(e);
    } catch {
      /* see above */
    }
  }

  /** Why new connections are refused right now, or null when they may be decided. */
  blockedReason(): string | null {
    if (this.mode === 'gate') return `the network switch of agent "${this.agent}" was off when it started (only the ask gate answers); restart it with the network on`;
    if (this.env.allOffline()) return 'all agents are offline (global switch)';
    if (!this.network) return `the network switch of agent "${this.agent}" is off`;
    if (this.paused) return `agent "${this.agent}" is paused`;
    return null;
  }

  takeSlot(kind: SlotKind, max: number): boolean {
    if (this.slots[kind] >= max) return false;
    this.slots[kind]++;
    return true;
  }
  releaseSlot(kind: SlotKind): void {
    if (this.slots[kind] > 0) this.slots[kind]--;
  }
  /** How many `kind` slots are taken now (status and tests). */
  slotsInUse(kind: SlotKind): number {
    return this.slots[kind];
  }

  /** Registers a live socket (or relay) so switching off can cut it; returns the unregister function. */
  track(s: { destroy(): void }): () => void {
    this.live.add(s);
    return () => this.live.delete(s);
  }

  /** Destroys every tunnel and upstream connection of this agent (network switched off). */
  cutAll(): void {
    for (const s of this.live) s.destroy();
    this.live.clear();
  }

  /** Number of live sockets (client and upstream sides). */
  get connections(): number {
    return this.live.size;
  }

  /** Marks a client socket whose tunnel has started (its half-close is then passed on, not answered). */
  tunnelStarted(s: Duplex): void {
    this.tunnels.add(s);
    this.headArrived(s);
  }

  /** Deadlines for a connection's first request head (or SOCKS handshake), cleared when it is complete. */
  private readonly headDeadlines = new WeakMap<object, NodeJS.Timeout>();

  private headArrived(s: object): void {
    const t = this.headDeadlines.get(s);
    if (t) clearTimeout(t);
    this.headDeadlines.delete(s);
  }

  private onTcpConnection = (sock: Socket): void => {
    sock.setNoDelay(true);
    this.onConnection(sock);
  };

  private onConnection = (sock: Socket): void => {
    sock.on('error', () => sock.destroy());
    // Threat: an agent holding thousands of idle connections to run Paddock's host out of fds
    // (then no agent starts and the CLI cannot reach the host): silence before the first byte ends it.
    sock.setTimeout(this.env.firstByteTimeoutMs, () => sock.destroy());
    // Before a tunnel exists, a client's end of input ends the connection (as without allowHalfOpen).
    sock.on('end', () => {
      if (!this.tunnels.has(sock)) sock.end();
    });
    sock.once('data', (chunk: Buffer) => {
      sock.setTimeout(0);
      sock.pause();
      const fast = chunk[0] === 0x05 ? null : fastConnectHead(chunk);
      if (fast) {
        // A whole, plain CONNECT head in the first chunk (connect-head.ts): no HTTP server, no head
        // deadline. Later bytes wait in the socket for the tunnel, as after the server's 'connect'
        // (which leaves the socket neither flowing nor paused).
        (sock as { readableFlowing: boolean | null }).readableFlowing = null;
        void handleConnect(this, fast.url, sock, fast.rest).catch(() => sock.destroy());
        return;
      }
      sock.unshift(chunk);
      // First byte 0x05: SOCKS5; anything else is HTTP.
      if (chunk[0] === 0x05) {
        if (this.mode === 'gate') return void sock.end(Buffer.from([0x05, 0xff]));
        void handleSocks(this, sock).catch(() => sock.destroy());
        sock.resume();
      } else {
        // Threat: slowloris — a head sent one byte every few seconds holds a connection forever (the
        // HTTP server's own headersTimeout needs a listening server, and this one is fed sockets;
        // SOCKS has its own handshake timer).
        const deadline = setTimeout(() => sock.destroy(), this.env.firstByteTimeoutMs);
        deadline.unref();
        this.headDeadlines.set(sock, deadline);
        sock.once('close', () => this.headArrived(sock));
        this.http.emit('connection', sock);
        sock.resume();
      }
    });
  };

  /** Creates the directory (0700) and binds the socket (0600), replacing a stale socket file. */
  async listen(): Promise<void> {
    mkdirSync(this.socketDir, { recursive: true, mode: 0o700 });
    const st = lstatSync(this.socketDir);
    // Threat: a symlinked or foreign directory redirecting the agent's socket.
    if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()))
      throw new PaddockError('E_INTERNAL', `The egress socket folder ${this.socketDir} is not a folder owned by Paddock's user; remove it and start the agent again.`);
    chmodSync(this.socketDir, 0o700);
    try {
      const s = lstatSync(this.socketPath);
      if (!s.isSocket()) throw new PaddockError('E_INTERNAL', `${this.socketPath} exists and is not a socket; remove it and start the agent again.`);
      unlinkSync(this.socketPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // allowHalfOpen: a client that half-closes after its request still receives the whole answer.
    const server = net.createServer({ pauseOnConnect: false, allowHalfOpen: true }, this.onConnection);
    this.capConnections(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    chmodSync(this.socketPath, 0o600);
    this.ino = lstatSync(this.socketPath).ino;
    this.server = server;
    server.on('error', () => this.died('the proxy listener failed'));
    server.on('close', () => {
      if (this.server === server) this.died('the proxy listener closed');
    });
    if (!this.health) {
      // Fail closed, then heal: notice a removed or replaced socket file (killed from outside) within a second.
      this.health = setInterval(() => this.check(), 1000);
      this.health.unref();
    }
  }

  /** Threat: the same fd exhaustion with busy connections: a cap per agent; past it the kernel's
   * connection is closed at once, and the user is told (once per run). */
  private capConnections(server: net.Server): void {
    server.maxConnections = this.env.maxConnections;
    server.on('drop', () => {
      if (this.floodReported) return;
      this.floodReported = true;
      this.alert('proxy', `agent "${this.agent}" holds ${this.env.maxConnections} open connections to its proxy; further ones are refused until some close`);
    });
  }

  /**
   * Serves a listening socket made inside the agent's own network namespace (ns-listener.ts):
   * a connection on it is this agent's, as on the Unix socket. It cannot be rebuilt from here, so
   * if it fails the agent has no network (the only route is gone) and the user is told.
   */
  adopt(server: net.Server): void {
    if (this.closing) return void server.close();
    // As the Unix socket: a client that half-closes after its request still receives the whole answer.
    (server as net.Server & { allowHalfOpen: boolean }).allowHalfOpen = true;
    this.capConnections(server);
    // Its connections are TCP: small answers must not wait for Nagle (known here, so no
    // getpeername per connection to tell them from the Unix socket's).
    server.on('connection', this.onTcpConnection);
    const gone = (why: string): void => {
      if (!this.adopted.delete(server) || this.closing) return;
      this.alert('proxy', `${why}; the agent has no network until its run is restarted`);
    };
    server.on('error', () => {
      gone('the proxy listener inside the sandbox failed');
      server.close();
    });
    server.on('close', () => gone('the proxy listener inside the sandbox closed'));
    this.adopted.add(server);
  }

  private check(): void {
    if (this.closing || this.restarting) return;
    let ino: number | null = null;
    try {
      ino = lstatSync(this.socketPath).ino;
    } catch {
      ino = null;
    }
    if (ino === null || ino !== this.ino) this.died('the proxy socket was removed or replaced');
  }

  private died(why: string): void {
    if (this.closing || this.restarting) return;
    this.alert('proxy', `${why}; the agent has no network until it is restarted (restarting now)`);
    void this.restart().catch(() => {});
  }

  /** Rebuilds the listener on the same path (existing tunnels are kept). */
  restart(): Promise<void> {
    if (this.restarting) return this.restarting;
    const old = this.server;
    this.server = null;
    this.restarting = (async () => {
      if (old) await new Promise<void>((r) => old.close(() => r()));
      let delay = 50;
      for (;;) {
        if (this.closing) return;
        try {
          await this.listen();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 2000);
        }
      }
    })().finally(() => {
      this.restarting = null;
    });
    return this.restarting;
  }

  /** Stops listening, cuts every connection and removes the socket. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.health) clearInterval(this.health);
    this.health = null;
    const server = this.server;
    this.server = null;
    this.cutAll();
    const adopted = [...this.adopted];
    this.adopted.clear();
    await Promise.all(adopted.map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (server) await new Promise<void>((r) => server.close(() => r()));
    try {
      if (lstatSync(this.socketPath).ino === this.ino) unlinkSync(this.socketPath);
    } catch {
      // Already gone.
    }
  }

  /** Test hook: the listener as it is now (to kill it from outside). */
  get listener(): net.Server | null {
    return this.server;
  }
}
