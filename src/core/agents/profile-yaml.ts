/**
 * Reading a profile's YAML with positions kept: syntax errors, duplicate keys, aliases and
 * odd keys become structured diagnostics; every node can be found again by its path.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';

/** A position in the profile file, 1-based. */
export interface Pos {
  line: number;
  col: number;
}

/** A problem found while reading, before file name is attached. */
export interface RawDiagnostic extends Pos {
  message: string;
}

/** A parsed YAML document with what is needed to turn offsets into positions. */
export interface LoadedYaml {
  doc: Document.Parsed;
  lines: LineCounter;
  /** The source text split in lines (without line terminators), for column arithmetic. */
  sourceLines: string[];
  diagnostics: RawDiagnostic[];
}

/** Options that keep the parser from doing more than a profile needs. */
const PARSE_OPTIONS = {
  prettyErrors: false,
  // Duplicate keys are found in checkShape with a Set: the library's own check is quadratic.
  uniqueKeys: false,
  // Threat: "billion laughs" alias expansion. Aliases are rejected below; this is a second cap.
  maxAliasCount: 20,
  // Threat: YAML 1.1 merge keys (`<<`) silently pulling keys from elsewhere.
  merge: false,
  strict: true,
} as const;

/** Turns a character offset into a 1-based line/column. */
export function posAt(y: Pick<LoadedYaml, 'lines'>, offset: number): Pos {
  const p = y.lines.linePos(Math.max(0, offset));
  return { line: Math.max(1, p.line), col: Math.max(1, p.col) };
}

/** The start position of a node, or 1:1 when the node has no range. */
export function nodePos(y: Pick<LoadedYaml, 'lines'>, node: Node | null | undefined): Pos {
  const start = node?.range?.[0];
  return typeof start === 'number' ? posAt(y, start) : { line: 1, col: 1 };
}

function describeYamlError(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: each key may appear only once in a mapping';
  if (code === 'MULTIPLE_DOCS') return 'a profile is a single YAML document: remove the extra "---" documents';
  if (code === 'TAB_AS_INDENT') return 'YAML syntax error: tabs are not allowed as indentation, use spaces';
  return `YAML syntax error: ${message.replace(/\s+/g, ' ').trim()}`;
}

/**
 * Parses YAML text into a document with positions. Never throws: any problem is a diagnostic.
 */
export function loadYaml(text: string): LoadedYaml {
  const deep = tooDeep(text);
  if (deep !== null) {
    const lc = new LineCounter();
    const y: LoadedYaml = { doc: parseDocument('', { lineCounter: lc }), lines: lc, sourceLines: [], diagnostics: [] };
    // Positions come from a plain count: the text itself is never handed to the parser.
    const before = text.slice(0, deep);
    const line = before.split('\n').length;
    y.diagnostics.push({ line, col: deep - before.lastIndexOf('\n'), message: `nested more than ${MAX_DEPTH} levels deep: a profile is flat data` });
    return y;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter: lines });
  const sourceLines = text.split(/\r\n|\r|\n/);
  const y: LoadedYaml = { doc, lines, sourceLines, diagnostics: [] };
  for (const e of doc.errors) {
    const at = posAt(y, e.pos[0]);
    // A tab inside a block (`rules: |`) gets the parser's generic indentation messages, often two per line.
    const tabbed = /^ *\t/.test(sourceLines[at.line - 1] ?? '');
    const message = tabbed ? 'YAML syntax error: this line is indented with a tab; YAML indents with spaces only' : describeYamlError(e.code, e.message);
    if (!y.diagnostics.some((d) => d.line === at.line && d.message === message)) y.diagnostics.push({ ...at, message });
  }
  // Warnings (unresolved tags, unknown directives) mean the text does not say what it seems to: reject.
  for (const w of doc.warnings) y.diagnostics.push({ ...posAt(y, w.pos[0]), message: `YAML: ${w.message.replace(/\s+/g, ' ').trim()}` });
  if (y.diagnostics.length === 0) checkShape(y);
  return y;
}

/** Deepest bracket or indentation nesting accepted. */
export const MAX_DEPTH = 64;

/**
 * The offset where flow brackets (`[`, `{`) or block indentation first exceed {@link MAX_DEPTH},
 * or null. Threat: deeply nested input makes the parser recurse for seconds, then overflow.
 */
function tooDeep(text: string): number | null {
  let depth = 0;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart && (c === 32 || c === 45)) {
      // Spaces and "- " sequence markers at the start of a line each open a block level.
      if (++indent > MAX_DEPTH * 2) return i;
      continue;
    }
    lineStart = false;
    if (c === 91 || c === 123) {
      if (++depth > MAX_DEPTH) return i;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return null;
}

/** Rejects aliases, tags and non-scalar keys: a profile is plain data, positions must stay exact. */
function checkShape(y: LoadedYaml): void {
  visit(y.doc, {
    Map(_key, map) {
      const keys = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const k = String(pair.key.value);
        if (keys.has(k)) y.diagnostics.push({ ...nodePos(y, pair.key), message: `duplicate key "${k}": each key may appear only once in a mapping` });
        keys.add(k);
      }
    },
    Alias(_key, node) {
      // Threat: alias bombs and values whose position cannot be reported.
      y.diagnostics.push({ ...nodePos(y, node), message: `aliases (*${node.source}) are not allowed in a profile: write the value out` });
    },
    Pair(_key, pair) {
      const k = pair.key;
      if (k === null || k === undefined) return;
      if (!isScalar(k) || (typeof k.value !== 'string' && typeof k.value !== 'number' && typeof k.value !== 'boolean')) {
        y.diagnostics.push({ ...nodePos(y, isCollection(k) || isAlias(k) || isScalar(k) ? k : null), message: 'keys must be plain words such as name or path' });
      }
    },
    Node(_key, node) {
      if (node.tag && (isScalar(node) || isCollection(node)) && !node.tag.startsWith('tag:yaml.org,2002:')) {
        y.diagnostics.push({ ...nodePos(y, node), message: `YAML tags (${node.tag}) are not allowed in a profile` });
      }
    },
  });
}

/** Finds the YAML node at a data path (`['folders', 0, 'access']`), or null. */
export function nodeAtPath(root: unknown, path: readonly PropertyKey[]): Node | null {
  let cur: unknown = root;
  for (const seg of path) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return null;
      cur = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      cur = cur.items[seg];
    } else {
      return null;
    }
  }
  return isScalar(cur) || isCollection(cur) || isAlias(cur) ? cur : null;
}

/** The deepest existing node along a path (for "missing" issues: point at the parent). */
export function nearestNode(root: unknown, path: readonly PropertyKey[]): Node | null {
  for (let n = path.length; n >= 0; n--) {
    const node = nodeAtPath(root, path.slice(0, n));
    if (node) return node;
  }
  return null;
}
