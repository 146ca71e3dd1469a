/**
 * Turns zod validation issues into positioned, plain-language diagnostics that point at the
 * offending YAML key or value.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { ApprovalsConfigSchema, FolderSchema, LimitsSchema, ProfileSchema, SecretDeclSchema } from '../../shared/profile.schema.js';
import { nearestNode, nodeAtPath, nodePos, type LoadedYaml, type RawDiagnostic } from './profile-yaml.js';

type Issue = z.core.$ZodIssue;

/** The keys allowed in each kind of mapping, by the schema that validates it. */
function allowedKeys(path: readonly PropertyKey[]): string[] {
  const top = path[0];
  if (path.length === 0) return Object.keys(ProfileSchema.shape);
  if (top === 'folders') return Object.keys(FolderSchema.shape);
  if (top === 'secrets') return Object.keys(SecretDeclSchema.shape);
  if (top === 'limits') return Object.keys(LimitsSchema.shape);
  if (top === 'approvals') return Object.keys(ApprovalsConfigSchema.shape);
  return [];
}

/** `folders[0].access` — how a path is named in messages. */
export function pathName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : `${out ? '.' : ''}${String(seg)}`;
  return out || 'the profile';
}

/** What a field must be when its type or union alternative is wrong. */
function expectation(path: readonly PropertyKey[]): string | null {
  const key = path.filter((s) => typeof s === 'string').join('.');
  switch (key) {
    case 'command':
      return 'a list of strings such as [bash, -lc, "my-agent"] or a single command string';
    case 'network':
      return 'on or off';
    case 'limits.memory':
      return 'a size such as 512MiB or 2GiB';
    case 'folders':
      return 'a list of { path: ..., access: ro | rw | copy } entries';
    case 'secrets':
      return 'a list of { name: ..., as: env | file | header } entries';
    case 'limits':
      return 'a mapping such as { memory: 2GiB, processes: 256, cpu: 1.0 }';
    case 'approvals':
      return 'a mapping such as { timeout: 60 }';
    case 'secrets.hosts':
      return 'a list of host names such as [api.openai.com]';
    case 'rules':
      return 'a block of text: write "rules: |" and then one rule per line, indented under it';
    case 'limits.cpu':
      return 'a number of cores such as 1.0 or 0.5';
    case 'limits.processes':
      return 'a whole number such as 256';
    case 'approvals.timeout':
      return 'a whole number of seconds such as 60';
    default:
      return null;
  }
}

function typeWord(expected: string): string {
  if (expected === 'string') return 'a string';
  if (expected === 'number') return 'a number';
  if (expected === 'int') return 'a whole number';
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a mapping';
  if (expected === 'boolean') return 'true or false';
  return expected;
}

/** Whether zod produced one of its generic English messages (ours are more specific). */
function isGeneric(message: string): boolean {
  return /^(Invalid input|Too (big|small)|Invalid (string|option)|Expected|Required)/i.test(message);
}

/** Maps one zod issue to one or more diagnostics positioned on the YAML. */
export function issueToDiagnostics(y: LoadedYaml, issue: Issue): RawDiagnostic[] {
  const root = y.doc.contents;
  const path = issue.path;
  const name = pathName(path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path).join(', ');
    const parent = nodeAtPath(root, path);
    // One pass over the mapping: a lookup per key would be quadratic on a file full of unknown keys.
    const keyNodes = new Map<string, Node>();
    if (isMap(parent)) for (const p of parent.items) if (isScalar(p.key) && !keyNodes.has(String(p.key.value))) keyNodes.set(String(p.key.value), p.key);
    return issue.keys.map((k) => ({
      ...nodePos(y, keyNodes.get(k) ?? nearestNode(root, path)),
      message: `unknown key "${k}"${path.length ? ` in ${name}` : ''} (allowed: ${allowed})`,
    }));
  }
  const node = nodeAtPath(root, path);
  const at = nodePos(y, node ?? nearestNode(root, path));
  if (!node && issue.code === 'invalid_type') {
    const what = path[path.length - 1];
    return [{ ...at, message: `missing required key "${String(what)}"${path.length > 1 ? ` in ${pathName(path.slice(0, -1))}` : ''}` }];
  }
  if (issue.code === 'invalid_type' && isScalar(node) && node.value === null) {
    return [{ ...at, message: `${name} has no value (in YAML an empty value or a bare ~ means nothing): write a value or remove the key` }];
  }
  // `command: [sleep, 600]`: YAML reads 600 (or true) as a number, not a word; point at it.
  if (path.length === 1 && path[0] === 'command' && isSeq(node)) {
    const i = node.items.findIndex((it) => isScalar(it) && typeof it.value !== 'string');
    const item = node.items[i];
    if (isScalar(item)) return [{ ...nodePos(y, item), message: `command[${i}] is ${item.value === null ? 'empty' : `the ${typeof item.value} ${String(item.source ?? item.value)}`}, not a word: quote it ("${String(item.source ?? item.value ?? '')}"); every word of command is a string` }];
  }
  const expect = expectation(path);
  let message = issue.message;
  if (issue.code === 'invalid_union' || (issue.code === 'invalid_type' && expect)) {
    message = `${name} must be ${expect ?? 'a valid value'}`;
  } else if (issue.code === 'invalid_type') {
    message = `${name} must be ${typeWord(issue.expected)}`;
  } else if (issue.code === 'too_big' && isGeneric(message)) {
    message = `${name} must be at most ${String(issue.maximum)}`;
  } else if (issue.code === 'too_small' && isGeneric(message)) {
    message = issue.origin === 'array' || issue.origin === 'string' ? `${name} must not be empty` : `${name} must be at least ${String(issue.minimum)}`;
  } else if (isGeneric(message)) {
    message = `${name}: ${message}`;
  }
  return [{ ...at, message }];
}
