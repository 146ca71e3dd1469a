import { isMap, isScalar, isSeq, parseDocument, Scalar } from 'yaml';
import { DEFAULT_APPROVAL_TIMEOUT_S, DEFAULT_COMMAND, DEFAULT_NETWORK } from '../../shared/profile-defaults.js';

/** What the UI shows of a profile (read from its YAML; the engine stays the judge of validity). */
export interface ProfileView {
  name: string;
  command: string[];
  workspace: string | null;
  folders: { path: string; access: string }[];
  network: 'on' | 'off';
  rules: string;
  secrets: { name: string; as: string; hosts: string[]; header: string | null }[];
  limits: { memory: string; processes: string; cpu: string };
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** Reads the parts of a profile the tabs show; tolerant of a profile the user is still editing. */
export function viewProfile(yaml: string): ProfileView {
  const v = (parseDocument(yaml).toJS() ?? {}) as Record<string, unknown>;
  const cmd = v.command;
  const limits = (v.limits ?? {}) as Record<string, unknown>;
  return {
    name: str(v.name),
    command: Array.isArray(cmd) ? cmd.map(str) : cmd ? [str(cmd)] : [...DEFAULT_COMMAND],
    workspace: v.workspace ? str(v.workspace) : null,
    folders: Array.isArray(v.folders) ? (v.folders as Record<string, unknown>[]).map((f) => ({ path: str(f?.path), access: str(f?.access) })) : [],
    network: v.network === true || v.network === 'on' ? 'on' : v.network === undefined || v.network === null ? DEFAULT_NETWORK : 'off',
    rules: str(v.rules),
    secrets: Array.isArray(v.secrets) ? (v.secrets as Record<string, unknown>[]).map((s) => ({ name: str(s?.name), as: str(s?.as), hosts: Array.isArray(s?.hosts) ? (s.hosts as unknown[]).map(str) : [], header: s?.header ? str(s.header) : null })) : [],
    limits: { memory: str(limits.memory), processes: str(limits.processes), cpu: str(limits.cpu) },
  };
}

/** Sets (or, with `undefined`, removes) a top-level key, keeping the rest of the file as written. */
export function setKey(yaml: string, key: string, value: unknown): string {
  const doc = parseDocument(yaml);
  if (value === undefined) doc.delete(key);
  else doc.set(key, value);
  return doc.toString();
}

/** The profile with its `rules:` replaced by `rules` (the rule editor asks the engine instead: `rules:check`). */
export function withRules(yaml: string, rules: string): string {
  const doc = parseDocument(yaml);
  const text = rules.endsWith('\n') || rules === '' ? rules : `${rules}\n`;
  if (text.trim() === '') doc.delete('rules');
  else {
    const s = new Scalar(text);
    s.type = Scalar.BLOCK_LITERAL;
    doc.set('rules', s);
  }
  return doc.toString();
}

/** The rules text of a profile as the user wrote it. */
export function rulesOf(yaml: string): string {
  const doc = parseDocument(yaml);
  const r = doc.get('rules', true);
  return isScalar(r) ? str(r.value) : '';
}

/** The profile's `name:` value and where it is written (1-based line and column), or null when it has none. */
export function nameOf(yaml: string): { name: string; line: number; col: number } | null {
  const doc = parseDocument(yaml);
  const node = doc.get('name', true);
  if (!isScalar(node) || node.value === null || node.value === undefined) return null;
  const at = node.range?.[0] ?? 0;
  const before = yaml.slice(0, at).split('\n');
  return { name: str(node.value), line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** True when the YAML's top level is a mapping (the tabs can edit it). */
export function isEditable(yaml: string): boolean {
  const doc = parseDocument(yaml);
  return doc.errors.length === 0 && (doc.contents === null || isMap(doc.contents));
}

/** Adds a folder entry. */
export function addFolder(yaml: string, path: string, access: string): string {
  const doc = parseDocument(yaml);
  const folders = doc.get('folders', true);
  if (isSeq(folders)) folders.add(doc.createNode({ path, access }));
  else doc.set('folders', [{ path, access }]);
  return doc.toString();
}

/** Removes the folder at `index`. */
export function removeFolder(yaml: string, index: number): string {
  const doc = parseDocument(yaml);
  const folders = doc.get('folders', true);
  if (isSeq(folders)) folders.delete(index);
  if (isSeq(folders) && folders.items.length === 0) doc.delete('folders');
  return doc.toString();
}

/** The profile's ask timeout in seconds (`approvals: { timeout }`; the engine's default when unset). */
export function approvalTimeoutOf(yaml: string): number {
  const v = parseDocument(yaml).getIn(['approvals', 'timeout']);
  return typeof v === 'number' ? v : DEFAULT_APPROVAL_TIMEOUT_S;
}

/** The profile with `approvals.timeout` set, keeping the rest of the file (and of `approvals:`) as written. */
export function withApprovalTimeout(yaml: string, seconds: number): string {
  const doc = parseDocument(yaml);
  const node = doc.get('approvals', true);
  if (isMap(node)) node.set('timeout', seconds);
  else doc.set('approvals', doc.createNode({ timeout: seconds }, { flow: true }));
  return doc.toString();
}

/** Where a profile's rules sit: the profile line of their first line (0: none) and the rule lines. */
interface RulesView {
  first: number;
  lines: string[];
}

/** Views of recent profiles: event lists label many lines of few profiles, parsed once each. */
const views = new Map<string, RulesView>();
const VIEWS_MAX = 32;

function rulesView(yaml: string): RulesView {
  let v = views.get(yaml);
  if (v) return v;
  const doc = parseDocument(yaml);
  const node = doc.get('rules', true);
  let first = 0;
  if (isScalar(node) && node.range) {
    const line = yaml.slice(0, node.range[0]).split('\n').length;
    first = node.type === Scalar.BLOCK_LITERAL ? line + 1 : line;
  }
  v = { first, lines: (isScalar(node) ? str(node.value) : '').replace(/\n$/, '').split('\n') };
  if (views.size >= VIEWS_MAX) views.delete(views.keys().next().value!);
  views.set(yaml, v);
  return v;
}

/**
 * The profile-file line of the rules block's first line (0 when the profile has no rules), as the
 * engine counts it: the line after `rules: |` for a literal block, the key's own line otherwise.
 */
export function rulesFirstLine(yaml: string): number {
  return rulesView(yaml).first;
}

/**
 * How the UI names the rule line an event recorded (a profile-file line): the editor's line when
 * that line holds the rule, "remembered answer" when the rule sits after the profile's rules
 * (answers are numbered there), else the profile line.
 */
export function ruleLineLabel(yaml: string, fileLine: number, rule: string): string {
  const { first, lines } = rulesView(yaml);
  const at = fileLine - first + 1;
  const norm = (s: string): string => s.trim().replace(/\s+/g, ' ');
  if (first > 0 && at >= 1 && at <= lines.length && norm(lines[at - 1]!) === norm(rule)) return `rules line ${at}`;
  if (first > 0 && !lines.some((l) => norm(l) === norm(rule))) return 'remembered answer';
  if (first > 0) {
    const i = lines.findIndex((l) => norm(l) === norm(rule));
    return `rules line ${i + 1}`;
  }
  return `profile line ${fileLine}`;
}
