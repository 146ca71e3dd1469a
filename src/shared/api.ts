import { z } from 'zod';
import type { Agent, RunInfo } from './agent.schema.js';
import { AnswerSchema, type Answer, type Approval } from './approval.schema.js';
import type { PaddockEvent } from './events.schema.js';
import type { Diagnostic } from './errors.js';
import type { SecretMeta } from './secret.schema.js';
import { AGENT_NAME_RE, SECRET_NAME_RE } from './names.js';
import type { LearnApplied, LearnProposal, LearnState } from './learn.js';

export type { LearnApplied, LearnProposal, LearnState, ProposedRule, NotProposed } from './learn.js';

/** A schema built on first use (see channel). */
function once<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}

const agentName = once(() => z.string().regex(AGENT_NAME_RE, 'not a valid agent name'));
type AgentNameSchema = ReturnType<typeof agentName>;
const secretName = once(() => z.string().regex(SECRET_NAME_RE, 'not a valid secret name: use letters, digits, _ . - starting with a letter or _ (at most 128)'));
type SecretNameSchema = ReturnType<typeof secretName>;

/** A gap-report finding: what the agent can still do that no rule addresses. */
export interface GapFinding {
  severity: 'high' | 'medium' | 'low' | 'info';
  code: string;
  message: string;
  /** A rule (or profile change) that would close the gap, if there is one. */
  suggestion: string | null;
}

export interface ProfileCheck {
  ok: boolean;
  diagnostics: Diagnostic[];
  gaps: GapFinding[];
  instructions: string | null;
}

/**
 * A problem found by `rules:check`. `line` and `col` count in the rules text the editor shows
 * (line 1 is its first line); a problem elsewhere in the profile has `line: null` and its
 * `profileLine` instead.
 */
export interface RuleProblem {
  line: number | null;
  col: number | null;
  profileLine: number | null;
  message: string;
}

/** The rule editor's check: problems in the editor's coordinates, the gap report, the instruction preview. */
export interface RulesCheck {
  ok: boolean;
  /** The stored profile with these rules: what `agents:save` stores when the user saves them. */
  yaml: string;
  problems: RuleProblem[];
  /** The gap report; "line N" in its messages counts in the rules text, like `problems`. */
  gaps: GapFinding[];
  instructions: string | null;
}

export interface DoctorCheck {
  id: string;
  ok: boolean;
  /** What enforces what, or what is missing. */
  message: string;
  /** How to fix it, when not ok. */
  fix: string | null;
}

/** A decision as the rule simulation shows it. */
export interface SimDecision {
  effect: 'allow' | 'deny' | 'ask';
  rule: string | null;
  line: number | null;
}

/** A recorded network request whose outcome differs between the current and the edited rules. */
export interface SimChange {
  host: string;
  port: number;
  /** The address that was dialled, when the log recorded one. */
  address: string | null;
  /** How many times the agent made it (in the replayed history). */
  count: number;
  before: SimDecision;
  after: SimDecision;
}

/** "What would this change have decided": the agent's recent requests replayed under both rule sets. */
export interface SimulationResult {
  /** Events replayed (net.* and net approval requests). */
  considered: number;
  /** Distinct requests (host, port, address) decided. */
  distinct: number;
  /** Requests whose effect or deciding rule changes, most frequent first. */
  changes: SimChange[];
  /** Counts by effect transition, weighted by how often each request was made. */
  transitions: { from: 'allow' | 'deny' | 'ask'; to: 'allow' | 'deny' | 'ask'; requests: number }[];
}

/** One difference between an agent's copy of a folder and the original. */
export interface FolderFileChange {
  /** Relative path, `/`-separated. */
  path: string;
  status: 'added' | 'changed' | 'removed';
  /** What the path is in the copy (or in the original, when removed). */
  type: 'file' | 'symlink' | 'other';
  size: number | null;
  /** True when an export would copy it back. */
  exportable: boolean;
  /** Why it is not exportable, or other things to know. */
  note: string | null;
  /** Unified diff for small text files; null for binary, large or non-file entries. */
  diff: string | null;
}

/** The review of a `copy` folder before export. */
export interface FolderDiff {
  /** The original host folder. */
  original: string;
  /** The agent's copy in its workspace. */
  copy: string;
  /** False when nothing was copied yet (the agent has not started since the folder was granted). */
  copied: boolean;
  files: FolderFileChange[];
  /** True when the folder had more entries than were compared. */
  truncated: boolean;
}

/** What an export wrote back to the host, and what it refused. */
export interface ExportResult {
  written: string[];
  skipped: { path: string; reason: string }[];
}

/** One recorded run of an agent (see `paddock logs`). */
export interface RunLogInfo {
  run: string;
  /** ISO 8601. */
  started: string;
  /** 'terminal': the output went to the terminal of the `paddock run` that started it, unrecorded. */
  stdio: 'pipe' | 'terminal';
  /** The exit code once the run has ended (null while it runs, or if its host died). */
  exitCode: number | null;
  size: number;
}

/** A slice of a run's output. Offsets are stable across the dropping of old output. */
export interface RunLogSlice {
  run: string;
  started: string;
  stdio: 'pipe' | 'terminal';
  /** The output as the agent wrote it (escape sequences included), secret values masked. */
  text: string;
  /** Pass as `since` to get what comes after. */
  next: number;
  /** True when older output is not in `text` (dropped to keep the bound, or beyond what one answer carries). */
  truncated: boolean;
  exitCode: number | null;
}

/** An agent's recorded runs and one run's output (the latest, or the one asked for). */
export interface RunLogs {
  runs: RunLogInfo[];
  log: RunLogSlice | null;
  /** True while the run shown is still running on this host. */
  live: boolean;
}

/** A run's recording and its logged events, for the Activity tab's replay. */
export interface RunReplay {
  run: string;
  /** Time 0 of the recording, in ms since the epoch: an event's offset is `Date.parse(ts) - start`. */
  start: number;
  /** The recording as asciicast v2 text (header line, then `[seconds, code, data]` lines), secret values masked. */
  cast: string;
  /**
   * Seconds of the run's start that are not in `cast` (0 when complete): older output dropped to keep
   * the recording within its bound. The kept part plays from there, on the same timeline.
   */
  missingBefore: number;
  /** The run's events (oldest first), at most `maxEvents`. */
  events: PaddockEvent[];
  /** True when the run logged more events than one answer carries (the first ones are given). */
  eventsTruncated: boolean;
  /** 'terminal': the run's output went to a terminal and was not recorded (`cast` holds no output). */
  stdio: 'pipe' | 'terminal';
  exitCode: number | null;
  /** True while the run is still running on this host (the recording grows). */
  live: boolean;
}

const runId = once(() => z.string().regex(/^r-[0-9a-f]{8}$/, 'not a run id'));
type RunIdSchema = ReturnType<typeof runId>;

/** Something Paddock moved out of a writable folder after a run: a planted git setting, hook or `.git` entry. */
export interface QuarantineItem {
  id: string;
  agent: string;
  run: string;
  /** Where it was (where a restore puts it back). */
  path: string;
  /** Why: the settings or files that run a program. */
  reasons: string[];
  ts: string;
}
/** The vault's state as the Vault tab shows it up front, with the fix when secrets cannot be used. */
export interface VaultState {
  /**
   * `keychain`: the master key is (or will be) kept in the OS keychain; `passphrase`: a
   * passphrase vault, unlocked in this process; `locked`: a passphrase vault waiting for its
   * passphrase; `unavailable`: no keychain and no vault yet (a passphrase creates one).
   */
  mode: 'keychain' | 'passphrase' | 'locked' | 'unavailable';
  message: string;
  fix: string | null;
}

/** A rule added by answering an ask "always" / "deny always". */
/** An agent's decoy credentials (issue 18): fake files Paddock placed in its home, valid nowhere. */
export interface DecoyList {
  on: boolean;
  /** How reads are watched: `inotify` (native helper) or `atime` (polling; coarser). */
  watch: 'inotify' | 'atime';
  /** Paths as the agent sees them (`~/.aws/credentials`); `placed` is false when a file of the user's or the agent's sits there. */
  files: { path: string; kind: string; placed: boolean }[];
}

export interface RememberedAnswer {
  rule: string;
  /** ISO time of the answer. */
  created: string;
  /** Where it was answered: `cli`, `app`, `console`; null when not recorded. */
  by: string | null;
}

const secretDelivery = once(() =>
  z.discriminatedUnion('as', [
    z.object({ as: z.literal('env') }),
    z.object({ as: z.literal('file') }),
    z.object({
      as: z.literal('header'),
      hosts: z.array(z.string().min(1).max(253).regex(/^[A-Za-z0-9*.:[\]-]+$/, 'not a host pattern')).min(1, 'a header secret needs at least one host').max(64),
      // Threat: a template with CR/LF splitting one header into several (request smuggling).
      header: z.string().min(3).max(1024).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\r\n]*\{\}[^\r\n]*$/, 'write the header as "Name: ...{}..." with {} where the value goes'),
    }),
  ]),
);
type SecretDeliverySchema = ReturnType<typeof secretDelivery>;

/**
 * Declares one channel: its zod input schema and its result type. The schema is built on first use
 * (zod builds each eagerly: the ~70 of these maps cost a host ~3 ms at start, and a `paddock run`
 * host that no client calls never needs them).
 */
function channel<I extends z.ZodType, R>(make: () => I): { readonly input: I; result: R } {
  let input: I | undefined;
  return {
    get input(): I {
      return (input ??= make());
    },
    result: undefined as unknown as R,
  };
}

/**
 * The API the renderer calls: `domain:verb` → input schema + result type.
 * The Electron preload, the web console bridge and the engine handlers are all built from this map.
 */
export const API = {
  'agents:list': channel<z.ZodVoid, Agent[]>(() => z.void()),
  'agents:get': channel<z.ZodObject<{ name: AgentNameSchema }>, Agent>(() => z.object({ name: agentName() })),
  'agents:save': channel<z.ZodObject<{ yaml: z.ZodString }>, Agent>(() => z.object({ yaml: z.string().max(1_000_000) })),
  'agents:delete': channel<z.ZodObject<{ name: AgentNameSchema }>, void>(() => z.object({ name: agentName() })),
  'agents:check': channel<z.ZodObject<{ yaml: z.ZodString }>, ProfileCheck>(() => z.object({ yaml: z.string().max(1_000_000) })),
  /** "Ask me before tool calls": installs the Claude Code hook in the agent's home (inside its sandbox; the agent must not be running). */
  'agents:installHook': channel<
    z.ZodObject<{ name: AgentNameSchema; kind: z.ZodLiteral<'claude-code'>; quiet: z.ZodOptional<z.ZodBoolean> }>,
    { changed: boolean; backedUp: boolean }
  >(() => z.object({ name: agentName(), kind: z.literal('claude-code'), quiet: z.boolean().optional() })),
  'runs:list': channel<z.ZodVoid, RunInfo[]>(() => z.void()),
  'runs:start': channel<z.ZodObject<{ name: AgentNameSchema }>, RunInfo>(() => z.object({ name: agentName() })),
  'runs:pause': channel<z.ZodObject<{ name: AgentNameSchema }>, void>(() => z.object({ name: agentName() })),
  'runs:resume': channel<z.ZodObject<{ name: AgentNameSchema }>, void>(() => z.object({ name: agentName() })),
  'runs:stop': channel<z.ZodObject<{ name: AgentNameSchema }>, void>(() => z.object({ name: agentName() })),
  'runs:kill': channel<z.ZodObject<{ name: AgentNameSchema }>, void>(() => z.object({ name: agentName() })),
  'runs:killAll': channel<z.ZodVoid, void>(() => z.void()),
  /** A run's recorded output from byte offset `since` (the latest run when `run` is absent). */
  'runs:logs': channel<z.ZodObject<{ name: AgentNameSchema; run: z.ZodOptional<RunIdSchema>; since: z.ZodOptional<z.ZodNumber> }>, RunLogs>(() => 
    z.object({ name: agentName(), run: runId().optional(), since: z.number().int().nonnegative().optional() }),
  ),
  /** The agent's recorded runs, newest first (the replay's run picker). */
  'runs:recordings': channel<z.ZodObject<{ name: AgentNameSchema }>, RunLogInfo[]>(() => z.object({ name: agentName() })),
  /** A run's recording with its events on the same timeline (the latest run when `run` is absent). */
  'runs:replay': channel<z.ZodObject<{ name: AgentNameSchema; run: z.ZodOptional<RunIdSchema> }>, RunReplay>(() => z.object({ name: agentName(), run: runId().optional() })),
  /** `live` is false when the agent runs and was started offline: the network comes on at its next start. */
  'net:set': channel<z.ZodObject<{ name: AgentNameSchema; on: z.ZodBoolean }>, { live: boolean }>(() => z.object({ name: agentName(), on: z.boolean() })),
  'net:setAllOffline': channel<z.ZodObject<{ offline: z.ZodBoolean }>, void>(() => z.object({ offline: z.boolean() })),
  'activity:query': channel<
    z.ZodObject<{ agent: z.ZodOptional<AgentNameSchema>; kind: z.ZodOptional<z.ZodString>; before: z.ZodOptional<z.ZodNumber>; limit: z.ZodOptional<z.ZodNumber> }>,
    PaddockEvent[]
  >(() => 
    z.object({
      agent: agentName().optional(),
      kind: z.string().max(64).optional(),
      before: z.number().int().nonnegative().optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
    }),
  ),
  'activity:verify': channel<z.ZodVoid, { ok: boolean; count: number; firstBad: number | null; message: string }>(() => z.void()),
  'approvals:list': channel<z.ZodVoid, Approval[]>(() => z.void()),
  /** Returns the answer actually applied (an "always" that no narrow rule can express counts once: `applied: 'once'`) and the rule it added, if any. */
  'approvals:answer': channel<z.ZodObject<{ id: z.ZodString; answer: typeof AnswerSchema }>, { answer: Answer; applied: Answer | 'timeout'; rule?: string }>(() => 
    z.object({ id: z.string().min(1).max(64), answer: AnswerSchema }),
  ),
  'vault:list': channel<z.ZodObject<{ agent: AgentNameSchema }>, SecretMeta[]>(() => z.object({ agent: agentName() })),
  /** Write-only: the value goes in, never comes back out. */
  'vault:setSecret': channel<z.ZodObject<{ agent: AgentNameSchema; name: SecretNameSchema; value: z.ZodString }>, void>(() => 
    z.object({ agent: agentName(), name: secretName(), value: z.string().max(65_536) }),
  ),
  'vault:removeSecret': channel<z.ZodObject<{ agent: AgentNameSchema; name: SecretNameSchema }>, void>(() => 
    z.object({ agent: agentName(), name: secretName() }),
  ),
  /** Where the vault keeps its key and whether it is usable now (touches no keychain item). */
  'vault:status': channel<z.ZodVoid, VaultState>(() => z.void()),
  /** Write-only: unlocks (or creates) a passphrase vault in the engine's memory. */
  'vault:unlock': channel<z.ZodObject<{ passphrase: z.ZodString }>, VaultState>(() => z.object({ passphrase: z.string().min(1).max(1024) })),
  /** Declares the secret with its delivery in the profile and stores its value (write-only), in one step. */
  'vault:declare': channel<z.ZodObject<{ agent: AgentNameSchema; name: SecretNameSchema; delivery: SecretDeliverySchema; value: z.ZodString }>, Agent>(() => 
    z.object({ agent: agentName(), name: secretName(), delivery: secretDelivery(), value: z.string().min(1).max(65_536) }),
  ),
  /** The agent's decoy credentials (issue 18): whether they are on, and the files placed in its home. */
  'decoys:list': channel<z.ZodObject<{ name: AgentNameSchema }>, DecoyList>(() => z.object({ name: agentName() })),
  /** Turns the agent's decoys on or off (takes effect at its next start; placed files stay until removed). */
  'decoys:set': channel<z.ZodObject<{ name: AgentNameSchema; on: z.ZodBoolean }>, DecoyList>(() => z.object({ name: agentName(), on: z.boolean() })),
  /** Learning mode (issue 18): the switch and its last period. */
  'learn:get': channel<z.ZodObject<{ name: AgentNameSchema }>, LearnState>(() => z.object({ name: agentName() })),
  /** Turns learning on or off (live for a running agent); turning it off keeps the period for a proposal. */
  'learn:set': channel<z.ZodObject<{ name: AgentNameSchema; on: z.ZodBoolean }>, LearnState>(() => z.object({ name: agentName(), on: z.boolean() })),
  /** The profile change learned from the period (a diff and the simulator over the learned history); changes nothing. */
  'learn:suggest': channel<z.ZodObject<{ name: AgentNameSchema }>, LearnProposal>(() => z.object({ name: agentName() })),
  /**
   * Writes the proposal's rules into the profile (a `rule.change`) and closes the period. `after` is
   * the profile text the user reviewed: refused when the proposal changed since (explicit, never stale).
   */
  'learn:apply': channel<z.ZodObject<{ name: AgentNameSchema; after: z.ZodString }>, LearnApplied>(() => 
    z.object({ name: agentName(), after: z.string().max(1_000_000) }),
  ),
  /** Forgets the learning period without changing the profile (learning must be off). */
  'learn:discard': channel<z.ZodObject<{ name: AgentNameSchema }>, LearnState>(() => z.object({ name: agentName() })),
  /** The agent's remembered "always" / "deny always" answers. */
  'answers:list': channel<z.ZodObject<{ name: AgentNameSchema }>, RememberedAnswer[]>(() => z.object({ name: agentName() })),
  /** Forgets one remembered answer; the running policy changes at once. */
  'answers:revoke': channel<z.ZodObject<{ name: AgentNameSchema; rule: z.ZodString }>, void>(() => z.object({ name: agentName(), rule: z.string().min(1).max(2048) })),
  /** Replays the agent's recent network requests under its current rules and under `yaml`. */
  /** Checks `rules` as the rules of the profile `yaml` (the agent's stored profile), for the rule editor. */
  'rules:check': channel<z.ZodObject<{ yaml: z.ZodString; rules: z.ZodString }>, RulesCheck>(() => 
    z.object({ yaml: z.string().max(1_000_000), rules: z.string().max(1_000_000) }),
  ),
  'rules:simulate': channel<z.ZodObject<{ name: AgentNameSchema; yaml: z.ZodString }>, SimulationResult>(() => 
    z.object({ name: agentName(), yaml: z.string().max(1_000_000) }),
  ),
  /** What changed in the agent's copy of a `copy` folder (the folder as written in the profile). */
  'folders:diff': channel<z.ZodObject<{ name: AgentNameSchema; folder: z.ZodString }>, FolderDiff>(() => 
    z.object({ name: agentName(), folder: z.string().min(1).max(4096) }),
  ),
  /** Copies reviewed files (relative paths from folders:diff; all exportable ones when omitted) back to the host. */
  'folders:export': channel<z.ZodObject<{ name: AgentNameSchema; folder: z.ZodString; files: z.ZodOptional<z.ZodArray<z.ZodString>> }>, ExportResult>(() => 
    z.object({ name: agentName(), folder: z.string().min(1).max(4096), files: z.array(z.string().min(1).max(4096)).max(20_000).optional() }),
  ),
  'quarantine:list': channel<z.ZodVoid, QuarantineItem[]>(() => z.void()),
  'quarantine:restore': channel<z.ZodObject<{ id: z.ZodString }>, QuarantineItem>(() => z.object({ id: z.string().regex(/^q-[0-9a-f]{12}$/) })),
  'system:doctor': channel<z.ZodVoid, DoctorCheck[]>(() => z.void()),
  'system:info': channel<z.ZodVoid, { version: string; dataDir: string; platform: string }>(() => z.void()),
} as const;

export type ApiMap = typeof API;
export type Channel = keyof ApiMap;
export type ChannelInput<C extends Channel> = z.input<ApiMap[C]['input']>;
export type ChannelResult<C extends Channel> = ApiMap[C]['result'];

/** Push events from the engine to the UI. */
export const API_EVENTS = ['activity:appended', 'approvals:changed', 'runs:changed'] as const;
export type ApiEvent = (typeof API_EVENTS)[number];

/** The typed object the renderer uses (built by the preload or the console bridge). */
export type PaddockApi = {
  [C in Channel]: (input: ChannelInput<C>) => Promise<ChannelResult<C>>;
} & {
  on(event: ApiEvent, listener: (payload: unknown) => void): () => void;
  /** The desktop app's terminal (Electron only). */
  terminal?: PaddockTerminalApi;
};

/** A login recipe as the Terminal tab shows it (see src/core/agents/login-recipes.ts). */
export interface TerminalRecipe {
  id: string;
  label: string;
  flow: string;
  commands: readonly string[];
  rules: readonly string[];
  notes: string;
}

/** A running terminal session (see src/core/terminal/sessions.ts). */
export interface TerminalSessionInfo {
  id: string;
  agent: string;
  run: string;
  /** ms since the epoch. */
  startedAt: number;
  viewers: number;
}

/** Terminal session ids made by the main process (random UUIDs). */
const sessionId = once(() => z.string().regex(/^[0-9a-f-]{36}$/, 'not a terminal session id'));
type SessionIdSchema = ReturnType<typeof sessionId>;
/** Window size bounds (threat: absurd sizes from a compromised page). */
const cols = once(() => z.number().int().min(1).max(1000));
type ColsSchema = ReturnType<typeof cols>;
const rows = once(() => z.number().int().min(1).max(500));
type RowsSchema = ReturnType<typeof rows>;

/**
 * The desktop app's terminal channels (Electron IPC only; the web console uses its terminal
 * WebSocket instead). Kept apart from {@link API}: these are not engine calls and must not appear
 * as HTTP routes of the console.
 */
export const TERMINAL_API = {
  /** Starts a session in a fresh run of the agent's sandbox; output comes as `terminal:data` events. */
  'terminal:open': channel<z.ZodObject<{ agent: AgentNameSchema; cols: ColsSchema; rows: RowsSchema }>, { session: string; run: string }>(() => 
    z.object({ agent: agentName(), cols: cols(), rows: rows() }),
  ),
  /** Shows a running session in this window: its scrollback first (as `data` pushes), then live output. */
  'terminal:attach': channel<z.ZodObject<{ session: SessionIdSchema; cols: ColsSchema; rows: RowsSchema }>, TerminalSessionInfo>(() => 
    z.object({ session: sessionId(), cols: cols(), rows: rows() }),
  ),
  /** Stops showing a session in this window; the session keeps running. */
  'terminal:detach': channel<z.ZodObject<{ session: SessionIdSchema }>, void>(() => z.object({ session: sessionId() })),
  /** The running sessions (of one agent when given), to reattach them. */
  'terminal:sessions': channel<z.ZodObject<{ agent: z.ZodOptional<AgentNameSchema> }>, TerminalSessionInfo[]>(() => z.object({ agent: agentName().optional() })),
  /** Keystrokes as a terminal sends them. */
  'terminal:input': channel<z.ZodObject<{ session: SessionIdSchema; data: z.ZodString }>, void>(() => 
    z.object({ session: sessionId(), data: z.string().max(64 * 1024) }),
  ),
  'terminal:resize': channel<z.ZodObject<{ session: SessionIdSchema; cols: ColsSchema; rows: RowsSchema }>, void>(() => 
    z.object({ session: sessionId(), cols: cols(), rows: rows() }),
  ),
  /** Ends the session (End session): its run is killed. */
  'terminal:close': channel<z.ZodObject<{ session: SessionIdSchema }>, void>(() => z.object({ session: sessionId() })),
  'terminal:recipes': channel<z.ZodVoid, TerminalRecipe[]>(() => z.void()),
  /** Makes the agent's SSH key inside its sandbox; returns the public key line. */
  'terminal:keygen': channel<z.ZodObject<{ agent: AgentNameSchema; force: z.ZodOptional<z.ZodBoolean> }>, { publicKey: string }>(() => 
    z.object({ agent: agentName(), force: z.boolean().optional() }),
  ),
} as const;

export type TerminalApiMap = typeof TERMINAL_API;
export type TerminalChannel = keyof TerminalApiMap;
export type TerminalChannelInput<C extends TerminalChannel> = z.input<TerminalApiMap[C]['input']>;
export type TerminalChannelResult<C extends TerminalChannel> = TerminalApiMap[C]['result'];

/** What the main process pushes about a session, to the window that opened it only. */
export type TerminalPush =
  /** Output bytes, base64. */
  | { type: 'data'; session: string; data: string }
  /** The run ended (exitCode null when it was killed or did not report one). */
  | { type: 'exit'; session: string; exitCode: number | null; reason?: string };

/** The desktop terminal as the renderer sees it (`window.paddock.terminal`; absent in the web console). */
export type PaddockTerminalApi = {
  [C in TerminalChannel]: (input: TerminalChannelInput<C>) => Promise<TerminalChannelResult<C>>;
} & {
  /** Subscribes to the sessions' output and ends. Returns the unsubscribe. */
  onPush(listener: (push: TerminalPush) => void): () => void;
};
