/**
 * Profile files (PRODUCT.md "Profile file (YAML)"): parse, validate, apply defaults and map every
 * problem — YAML, schema or rule — to `FILE:LINE:COL: message`.
 */
import { readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { isMap, type Node } from 'yaml';
import type { Diagnostic } from '../../shared/errors.js';
import { INSTRUCTION_FILE } from '../../shared/names.js';
import { DEFAULT_NETWORK, MAX_PROFILE_BYTES } from '../../shared/profile-defaults.js';
import { DEFAULT_APPROVAL_TIMEOUT_S, ProfileSchema, type Profile } from '../../shared/profile.schema.js';
import type { RuleSet } from '../../shared/rules.schema.js';
import { issueToDiagnostics } from './profile-issues.js';
import { locateRules, parseProfileRules } from './profile-rules.js';
import { boundHostProblem, commandProblem, envNameProblem, expandPath, headerProblem, normaliseCommand, parseSize } from './profile-values.js';
import { loadYaml, nodeAtPath, nodePos, type LoadedYaml, type Pos, type RawDiagnostic } from './profile-yaml.js';

export { serializeProfile } from './profile-serialize.js';
export { DEFAULT_COMMAND, parseSize } from './profile-values.js';

/** What the parser needs from its environment: the user's home, for `~`. */
export interface ProfileContext {
  home: string;
}

/** The outcome of reading a profile. `profile` and `ruleSet` are null whenever there is any diagnostic. */
export interface ProfileResult {
  profile: Profile | null;
  ruleSet: RuleSet | null;
  /** Sorted by line then column. */
  diagnostics: Diagnostic[];
}

export { MAX_PROFILE_BYTES };

/** Most diagnostics reported for one file; the rest are summarised in one line. */
export const MAX_DIAGNOSTICS = 100;

type Validated = ReturnType<typeof ProfileSchema.parse>;

function finish(file: string, raw: RawDiagnostic[], profile: Profile | null, ruleSet: RuleSet | null): ProfileResult {
  const diagnostics = raw
    .map((d) => ({ file, line: Math.max(1, Math.floor(d.line) || 1), col: Math.max(1, Math.floor(d.col) || 1), message: d.message }))
    .sort((a, b) => a.line - b.line || a.col - b.col);
  if (diagnostics.length > MAX_DIAGNOSTICS) {
    const rest = diagnostics.length - MAX_DIAGNOSTICS + 1;
    const last = diagnostics[MAX_DIAGNOSTICS - 1] as Diagnostic;
    diagnostics.splice(MAX_DIAGNOSTICS - 1, rest, { ...last, message: `… and ${rest} more problems (fix the ones above first)` });
  }
  // Safer reading: a profile with any problem is not returned at all, so nothing half-valid can run.
  if (diagnostics.length > 0) return { profile: null, ruleSet: null, diagnostics };
  return { profile, ruleSet, diagnostics };
}

/**
 * Parses and validates a profile. `file` is used verbatim in diagnostics; `ctx.home` expands `~`.
 * Never throws: every problem is a diagnostic with line and column ≥ 1.
 */
export function parseProfile(text: string, file: string, ctx: ProfileContext): ProfileResult {
  try {
    return parseUnsafe(text, file, ctx);
  } catch (e) {
    // Defence in depth: an unexpected parser failure must still be a diagnostic, never a crash.
    return finish(file, [{ line: 1, col: 1, message: `could not read the profile: ${e instanceof Error ? e.message : String(e)}` }], null, null);
  }
}

function parseUnsafe(text: string, file: string, ctx: ProfileContext): ProfileResult {
  if (text.length > MAX_PROFILE_BYTES) return finish(file, [{ line: 1, col: 1, message: 'the profile is larger than 256 KiB: a profile is a short file' }], null, null);
  const y = loadYaml(text);
  if (y.diagnostics.length > 0) return finish(file, y.diagnostics, null, null);
  const root = y.doc.contents;
  if (root === null || root === undefined) return finish(file, [{ line: 1, col: 1, message: 'the profile is empty: it needs at least "name: my-agent"' }], null, null);
  if (!isMap(root)) return finish(file, [{ ...nodePos(y, root), message: 'a profile must be a mapping of keys such as "name: my-agent"' }], null, null);

  const data: unknown = y.doc.toJS({ maxAliasCount: 20 });
  const diags: RawDiagnostic[] = [];
  let ruleSet: RuleSet = { rules: [], advisories: [] };
  let rulesLine = 0;
  const rulesText = (data as Record<string, unknown>).rules;
  if (typeof rulesText === 'string') {
    const loc = locateRules(y, nodeAtPath(root, ['rules']), rulesText);
    if ('error' in loc) diags.push(loc.error);
    else {
      rulesLine = loc.firstLine;
      const parsed = parseProfileRules(rulesText, loc.map);
      ruleSet = parsed.ruleSet;
      diags.push(...parsed.diagnostics);
    }
  }

  const checked = ProfileSchema.safeParse(data);
  if (!checked.success) {
    for (const issue of checked.error.issues) diags.push(...issueToDiagnostics(y, issue));
    return finish(file, diags, null, null);
  }
  const profile = build(y, checked.data, ctx, rulesLine, diags);
  return finish(file, diags, profile, ruleSet);
}

/** Applies defaults and the checks the schema cannot express; problems go to `diags`. */
function build(y: LoadedYaml, v: Validated, ctx: ProfileContext, rulesLine: number, diags: RawDiagnostic[]): Profile {
  const root = y.doc.contents;
  const at = (path: PropertyKey[]): ReturnType<typeof nodePos> => nodePos(y, nodeAtPath(root, path) as Node | null);
  const command = normaliseCommand(v.command);
  const cmdProblem = commandProblem(command);
  if (cmdProblem) diags.push({ ...at(['command']), message: cmdProblem });

  let workspace: string | null = null;
  if (v.workspace !== undefined) {
    const r = expandPath(v.workspace, ctx.home, 'workspace');
    if ('error' in r) diags.push({ ...at(['workspace']), message: r.error });
    // Threat: a workspace at / or around the user's home hands the agent read-write access to all of it.
    else if (r.path === '/' || ctx.home === r.path || ctx.home.startsWith(`${r.path}/`)) {
      diags.push({ ...at(['workspace']), message: `workspace ${r.path} would contain your whole home folder: choose a folder of its own, e.g. ~/agents/${v.name}` });
    } else workspace = r.path;
  }

  const folders = (v.folders ?? []).map((f, i) => {
    const r = expandPath(f.path, ctx.home, 'folder path');
    if ('error' in r) diags.push({ ...at(['folders', i, 'path']), message: r.error });
    return { path: 'path' in r ? r.path : f.path, access: f.access };
  });

  checkFolders(folders, (i) => at(['folders', i, 'path']), diags);

  const seen = new Set<string>();
  (v.secrets ?? []).forEach((s, i) => {
    // Threat: two declarations of one name would make delivery ambiguous.
    if (seen.has(s.name)) diags.push({ ...at(['secrets', i, 'name']), message: `secret ${s.name} is declared twice: keep one declaration` });
    seen.add(s.name);
    if (s.as === 'env') {
      const p = envNameProblem(s.name);
      if (p) diags.push({ ...at(['secrets', i, 'name']), message: p });
    }
    (s.hosts ?? []).forEach((h, j) => {
      const p = boundHostProblem(h);
      if (p) diags.push({ ...at(['secrets', i, 'hosts', j]), message: p });
    });
    const hp = s.header === undefined ? null : headerProblem(s.header);
    if (hp) diags.push({ ...at(['secrets', i, 'header']), message: hp });
  });

  let memory: number | null = null;
  if (v.limits?.memory !== undefined) {
    const r = parseSize(v.limits.memory);
    if ('error' in r) diags.push({ ...at(['limits', 'memory']), message: r.error });
    else memory = r.bytes;
  }

  return {
    name: v.name,
    command,
    workspace,
    folders,
    network: v.network ?? DEFAULT_NETWORK,
    rules: v.rules ?? '',
    rulesLine,
    secrets: (v.secrets ?? []).map((s) => ({ ...s, ...(s.hosts ? { hosts: [...s.hosts] } : {}) })),
    limits: { memory, processes: v.limits?.processes ?? null, cpu: v.limits?.cpu ?? null },
    approvals: { timeout: v.approvals?.timeout ?? DEFAULT_APPROVAL_TIMEOUT_S },
  };
}

/** Folder entries that would be ambiguous or clobber each other. */
function checkFolders(folders: readonly { path: string; access: string }[], at: (i: number) => Pos, diags: RawDiagnostic[]): void {
  const paths = new Set<string>();
  const copies = new Map<string, string>();
  folders.forEach((f, i) => {
    // Threat: two entries for one path with different access make the granted access unclear.
    if (paths.has(f.path)) diags.push({ ...at(i), message: `folder ${f.path} is listed twice: keep one entry` });
    paths.add(f.path);
    if (f.access !== 'copy') return;
    const base = posix.basename(f.path);
    // Threat: a copy landing on PADDOCK.md or on another copy would overwrite it inside the workspace.
    if (base === '' || base === INSTRUCTION_FILE) diags.push({ ...at(i), message: `folder ${f.path} cannot be copied into the workspace (it would land on ${base || 'the workspace itself'})` });
    else if (copies.has(base)) diags.push({ ...at(i), message: `folder ${f.path} would be copied to <workspace>/${base}, like ${copies.get(base)}: copy folders need different names` });
    else copies.set(base, f.path);
  });
}

/**
 * Reads and parses a profile file. A missing, unreadable, non-regular or oversized file is a
 * diagnostic at 1:1 (never an exception), like every other problem.
 */
export function loadProfile(path: string, ctx: ProfileContext): ProfileResult {
  let text: string;
  try {
    const st = statSync(path);
    // Threat: `check /dev/zero` or a FIFO would block or read forever.
    if (!st.isFile()) return finish(path, [{ line: 1, col: 1, message: 'not a regular file: give the path of a .yaml profile' }], null, null);
    if (st.size > MAX_PROFILE_BYTES) return finish(path, [{ line: 1, col: 1, message: 'the profile is larger than 256 KiB: a profile is a short file' }], null, null);
    const bytes = readFileSync(path);
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file: check the path'
        : code === 'EACCES' ? 'permission denied: make the file readable'
          : e instanceof TypeError ? 'the file is not UTF-8 text: save it as UTF-8'
            : `cannot read the file (${code ?? (e instanceof Error ? e.message : 'unknown error')})`;
    return finish(path, [{ line: 1, col: 1, message: why }], null, null);
  }
  return parseProfile(text, path, ctx);
}
