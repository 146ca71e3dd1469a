/**
 * The engine's verbs that work on a data dir with no host running: the activity log, the vault,
 * the quarantine, the recorded output, a profile check and the machine checks (`paddock events`,
 * `log verify`, `secret`, `quarantine`, `logs`, `check`, `doctor`, and the profile problems of a
 * `run`). A public entry of core beside ../index.ts because it is light: it loads nothing at
 * import, and each verb loads only its own part (a file of this folder) on first call, so
 * `paddock check` never opens SQLite and `paddock events` never loads the profile parser
 * (../index.ts would load the whole engine).
 *
 * Only type imports and dynamic `import()` here: a static import would load that part for every
 * command that imports this file (test/cli/lazy-imports.int.test.ts).
 */
import type { DoctorCheck, GapFinding, QuarantineItem, RunLogInfo, RunLogSlice } from '../../../shared/api.js';
import type { Diagnostic } from '../../../shared/errors.js';
import type { PaddockEvent } from '../../../shared/events.schema.js';
import type { SecretMeta } from '../../../shared/secret.schema.js';
import type { DataPaths, EventQuery, VerifyResult } from '../../store/index.js';
import type { PassphrasePrompt } from '../../vault/index.js';

/** What `paddock check` prints: the problems of an invalid profile, or the valid profile's summary and gap report. */
export type ProfileCheck =
  | { valid: false; diagnostics: Diagnostic[] }
  /** here: what `paddock run` would refuse on this machine (a missing folder, the home granted…). */
  | { valid: true; agent: string; rules: number; advisories: number; gaps: GapFinding[]; here: string[]; instructions?: string };

/** Checks a profile's text (positions name `file` as given); with `instructions`, also renders the agent's PADDOCK.md. */
export async function checkProfileFile(text: string, file: string, opts: { home: string; instructions?: boolean }): Promise<ProfileCheck> {
  return (await import('./profile.js')).checkProfileFile(text, file, opts);
}

/** The problems of a profile (positions naming `file` as given), or null when it is valid. Loads the parser only. */
export async function profileProblems(text: string, file: string, home: string): Promise<readonly Diagnostic[] | null> {
  return (await import('./problems.js')).profileProblems(text, file, home);
}

/** What enforces what on this machine: platform, sandbox, limits, keychain (`paddock doctor`). */
export async function machineChecks(): Promise<DoctorCheck[]> {
  return (await import('../doctor.js')).machineChecks();
}

/** The activity log, read-only, straight from the data dir's database. Close it when done. */
export interface EventLog {
  query(q: EventQuery): PaddockEvent[];
  latestId(): number;
  /** Checks the hash chain (and its keychain anchor). */
  verify(): VerifyResult;
  close(): void;
}

/** Opens the activity log of the data dir (created if missing). */
export async function openEventLog(paths: DataPaths): Promise<EventLog> {
  return (await import('./store.js')).openEventLog(paths);
}

/** What Paddock moved out of writable folders after runs (planted git settings, hooks). */
export async function listQuarantined(dataDir: string): Promise<QuarantineItem[]> {
  return (await import('./quarantine.js')).listQuarantined(dataDir);
}

/** Puts a quarantined file back where it was, and logs that it did (the data dir prepared by the caller). */
export async function restoreQuarantined(paths: DataPaths, id: string): Promise<QuarantineItem> {
  return (await import('./quarantine.js')).restoreQuarantined(paths, id);
}

/** How the vault reaches the user with no host: the environment (a passphrase), a prompt, warnings. */
export interface OfflineVaultOptions {
  env: NodeJS.ProcessEnv;
  /** Asks for the passphrase when no keychain holds the master key (default: on the terminal). */
  prompt?: PassphrasePrompt;
  warn?: (line: string) => void;
}

/** Stores (or replaces) a secret of an agent: unlocks the vault, seals the value, locks it again. */
export async function setSecret(paths: DataPaths, opts: OfflineVaultOptions, agent: string, name: string, value: Buffer): Promise<void> {
  return (await import('./vault.js')).setSecret(paths, opts, agent, name, value);
}

/** The metadata of an agent's secrets (never a value; needs no key). */
export async function listSecrets(paths: DataPaths, env: NodeJS.ProcessEnv, agent: string): Promise<SecretMeta[]> {
  return (await import('./vault.js')).listSecrets(paths, env, agent);
}

/** Removes an agent's secret; false when it has none of that name (needs no key). */
export async function removeSecret(paths: DataPaths, env: NodeJS.ProcessEnv, agent: string, name: string): Promise<boolean> {
  return (await import('./vault.js')).removeSecret(paths, env, agent, name);
}

/** Reads a line from the terminal without echo (null when there is no terminal). */
export async function readHidden(question: string): Promise<string | null> {
  return (await import('./vault.js')).readHidden(question);
}

/** The recorded output of an agent's runs (`paddock logs`): files under the data dir, read-only. */
export interface RunLogs {
  /** The recorded runs, newest first. */
  list(): RunLogInfo[];
  /** The recording of run `run` (the latest when omitted); an error naming what to do when there is none. */
  file(run?: string): string;
  read(file: string, opts?: { since?: number; max?: number }): RunLogSlice;
}

/** The recorded runs of `agent` in the data dir. */
export async function runLogs(paths: DataPaths, agent: string): Promise<RunLogs> {
  return (await import('./logs.js')).runLogs(paths, agent);
}
