/**
 * "Ask me before tool calls" for Claude Code: installs the PreToolUse hook
 * (`~/.claude/paddock-hook.mjs`) and registers it in `~/.claude/settings.json` of the agent's own
 * home, merging into what is there (idempotent; the first version is kept as a backup).
 *
 * Threat: the agent owns its home and may have planted links there (`~/.claude -> /home/user/.ssh`).
 * So every read and write of the home happens **inside** the agent's sandbox (as `paddock keygen`
 * does), where the user's files are absent: the worst a planted link can do is redirect the write
 * to a file the agent could write anyway. The host only merges JSON text.
 */
import { PaddockError } from '../../shared/errors.js';
import { CLAUDE_HOOK_SCRIPT } from './claude-hook-script.js';

/** The command Claude Code runs for each tool call (through a shell, so `~` is the agent's home). */
export const CLAUDE_HOOK_COMMAND = 'node ~/.claude/paddock-hook.mjs';

/** The setting that stops Claude Code's telemetry, update checks and error reports. */
export const QUIET_ENV = 'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC';

/** Largest settings.json merged (it travels as a command-line argument into the sandbox). */
export const MAX_SETTINGS_BYTES = 64 * 1024;

export interface HookOptions {
  /** Also set CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 in settings.json's `env` (default true). */
  quiet?: boolean;
}

export interface HookInstallResult {
  /** settings.json was written (false: the hook, and the env when asked, were already there). */
  changed: boolean;
  /** A settings.json existed before this install and was kept as settings.json.paddock-backup. */
  backedUp: boolean;
}

/** Output of one command run in the agent's sandbox. */
export interface GuestOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in the agent's sandbox (a run of that agent: one at a time). */
export type GuestRunner = (command: string[]) => Promise<GuestOutput>;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(what: string): PaddockError {
  return new PaddockError('E_INVALID_INPUT', `the agent's ~/.claude/settings.json ${what}; fix it (or move it away) in paddock shell NAME, then install the hook again`);
}

/** True when a PreToolUse entry already runs Paddock's hook. */
function hasPaddockHook(entries: unknown[]): boolean {
  return entries.some((e) => isObject(e) && Array.isArray(e.hooks) && e.hooks.some((h) => isObject(h) && typeof h.command === 'string' && h.command.includes('paddock-hook.mjs')));
}

/**
 * Merges Paddock's hook (and, when `quiet`, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1) into the
 * text of a settings.json (null: there is none). Everything else is kept; a value the user set for
 * the env variable (even "0") is kept. Throws E_INVALID on text that is not a JSON object.
 */
export function mergeClaudeSettings(old: string | null, opts: HookOptions = {}): { text: string; changed: boolean } {
  let settings: Json = {};
  if (old !== null && old.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(old);
    } catch {
      throw bad('is not valid JSON');
    }
    if (!isObject(parsed)) throw bad('is not a JSON object');
    settings = parsed;
  }
  const before = JSON.stringify(settings);
  const hooks = settings.hooks ?? {};
  if (!isObject(hooks)) throw bad('has a "hooks" value that is not an object');
  const pre = hooks.PreToolUse ?? [];
  if (!Array.isArray(pre)) throw bad('has a "hooks.PreToolUse" value that is not a list');
  if (!hasPaddockHook(pre)) pre.push({ matcher: '*', hooks: [{ type: 'command', command: CLAUDE_HOOK_COMMAND }] });
  hooks.PreToolUse = pre;
  settings.hooks = hooks;
  if (opts.quiet !== false) {
    const env = settings.env ?? {};
    if (!isObject(env)) throw bad('has an "env" value that is not an object');
    if (!(QUIET_ENV in env)) env[QUIET_ENV] = '1';
    settings.env = env;
  }
  const changed = old === null || JSON.stringify(settings) !== before;
  return { text: changed ? `${JSON.stringify(settings, null, 2)}\n` : (old ?? ''), changed };
}

/** Exit codes of the in-sandbox scripts. */
const ABSENT = 3;
const NOT_A_FILE = 4;
const MOVED = 6;

/** Prints ~/.claude/settings.json (exit 3: there is none; 4: it is not a regular file). */
export function readSettingsScript(): string[] {
  const script = [
    'f="$HOME/.claude/settings.json"',
    `if [ -L "$f" ] || { [ -e "$f" ] && [ ! -f "$f" ]; }; then exit ${NOT_A_FILE}; fi`,
    `[ -e "$f" ] || exit ${ABSENT}`,
    'cat "$f"',
  ].join('\n');
  return ['/bin/sh', '-c', script];
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/**
 * Writes the hook script and (when `settings` is given) settings.json, each through a temporary file
 * and a rename; keeps the first settings.json as settings.json.paddock-backup (never overwritten).
 * `expected` is the settings.json text read before (null: none): when the file changed since, the
 * script stops (exit 6) rather than lose an edit. umask 077: the files are 0600, ~/.claude 0700.
 */
export function writeHookScript(settings: string | null, expected: string | null): string[] {
  const script = [
    'set -e',
    'umask 077',
    'd="$HOME/.claude"',
    `if [ -L "$d" ] || { [ -e "$d" ] && [ ! -d "$d" ]; }; then echo "~/.claude is not a folder" >&2; exit ${NOT_A_FILE}; fi`,
    'mkdir -p "$d"',
    'f="$d/settings.json"',
    'if [ "$1" != keep ]; then',
    '  if [ -L "$f" ]; then now=link; elif [ -f "$f" ]; then now=$(base64 < "$f" | tr -d "\\n"); elif [ -e "$f" ]; then now=other; else now=none; fi',
    `  [ "$now" = "$3" ] || exit ${MOVED}`,
    'fi',
    'printf %s "$2" | base64 -d > "$d/.paddock-hook.tmp"',
    'mv -f "$d/.paddock-hook.tmp" "$d/paddock-hook.mjs"',
    'if [ "$1" != keep ]; then',
    '  if [ -f "$f" ] && [ ! -e "$f.paddock-backup" ] && [ ! -L "$f.paddock-backup" ]; then cp "$f" "$f.paddock-backup"; echo backup; fi',
    '  printf %s "$1" | base64 -d > "$d/.settings.tmp"',
    '  mv -f "$d/.settings.tmp" "$f"',
    'fi',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'paddock-hook-install', settings === null ? 'keep' : b64(settings), b64(CLAUDE_HOOK_SCRIPT), expected === null ? 'none' : b64(expected)];
}

/**
 * Installs Paddock's PreToolUse hook into the agent's Claude Code settings, through two runs of its
 * sandbox (read, then write). Idempotent: a second install changes nothing.
 */
export async function installClaudeHook(run: GuestRunner, agent: string, opts: HookOptions = {}): Promise<HookInstallResult> {
  const read = await run(readSettingsScript());
  if (read.code === NOT_A_FILE) throw new PaddockError('E_INVALID_INPUT', `agent "${agent}"'s ~/.claude/settings.json is a link or a folder; replace it with a file in paddock shell ${agent}, then install the hook again`);
  if (read.code !== 0 && read.code !== ABSENT) throw new PaddockError('E_INTERNAL', `reading ~/.claude/settings.json inside ${agent}'s sandbox failed (exit ${read.code}): ${read.stderr.trim() || 'no message'}`);
  const old = read.code === ABSENT ? null : read.stdout;
  if (old !== null && Buffer.byteLength(old) > MAX_SETTINGS_BYTES) throw new PaddockError('E_INVALID_INPUT', `agent "${agent}"'s ~/.claude/settings.json is over 64 KiB; add the hook by hand (examples/claude-code/README.md)`);
  const merged = mergeClaudeSettings(old, opts);
  const write = await run(writeHookScript(merged.changed ? merged.text : null, old));
  if (write.code === MOVED) throw new PaddockError('E_INTERNAL', `agent "${agent}"'s ~/.claude/settings.json changed while the hook was being installed; run the install again`);
  if (write.code === NOT_A_FILE) throw new PaddockError('E_INVALID_INPUT', `agent "${agent}"'s ~/.claude is a link or a file; replace it with a folder in paddock shell ${agent}, then install the hook again`);
  if (write.code !== 0) throw new PaddockError('E_INTERNAL', `installing the hook inside ${agent}'s sandbox failed (exit ${write.code}): ${write.stderr.trim() || 'no message'}`);
  return { changed: merged.changed, backedUp: write.stdout.includes('backup') };
}
