/**
 * The rule language parser (PRODUCT.md "Rule language"). One rule per line; `#` starts a
 * comment (outside a quoted string). Never throws: every problem becomes a diagnostic
 * with a 1-based line and column inside the rule text.
 *
 * Decisions (documented for the profile loader and the UI):
 * - `action` patterns are the rest of the line after the kind, comment stripped and
 *   trimmed, so `ask action Bash(git push *)` works without quotes.
 * - `read`, `write` and `exec` patterns may be double-quoted to contain spaces.
 * - `do` / `dont` text must be double-quoted; `\"` and `\\` are escapes.
 */
import { EFFECTS, RULE_KINDS, type Advisory, type Effect, type Rule, type RuleKind } from '../../shared/rules.schema.js';
import { isAdvisoryEffect } from '../../shared/rule-lines.js';
import { parseNetPattern } from './net-pattern.js';

/** A problem in the rule text; line and col are 1-based within the rule text. */
export interface RuleDiagnostic {
  line: number;
  col: number;
  message: string;
}

/** The outcome of parsing: the rules and advisories that parsed, and every problem found. */
export interface ParsedRules {
  rules: Rule[];
  advisories: Advisory[];
  diagnostics: RuleDiagnostic[];
}

const WS = /\s/;
const EFFECT_LIST = 'allow, deny, ask, do or dont';
const KIND_LIST = 'net, read, write, exec, secret or action';
const SECRET_PATTERN_RE = /^[A-Za-z0-9_.*-]+$/;

class LineError extends Error {
  constructor(readonly col: number, message: string) {
    super(message);
  }
}

/** Reads a double-quoted string starting at `start` (the quote); returns the text and the index after it. */
function readQuoted(line: string, start: number): { text: string; end: number } {
  let out = '';
  for (let i = start + 1; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
      out += line[i + 1];
      i++;
    } else if (ch === '"') {
      return { text: out, end: i + 1 };
    } else {
      out += ch;
    }
  }
  throw new LineError(start + 1, 'unterminated quote: add the closing "');
}

function skipWs(line: string, i: number): number {
  while (i < line.length && WS.test(line[i]!)) i++;
  return i;
}

/** Reads a bare word: up to whitespace or `#`. */
function readWord(line: string, i: number): { text: string; end: number } {
  let j = i;
  while (j < line.length && !WS.test(line[j]!) && line[j] !== '#') j++;
  return { text: line.slice(i, j), end: j };
}

function atEnd(line: string, i: number): boolean {
  return i >= line.length || line[i] === '#';
}

function expectEnd(line: string, i: number, after: string): void {
  const j = skipWs(line, i);
  if (!atEnd(line, j)) {
    const extra = readWord(line, j).text || line[j]!;
    throw new LineError(j + 1, `unexpected "${extra}" after ${after} (one rule per line; quote paths that contain spaces)`);
  }
}

/** Checks a path glob for read/write/exec; returns an error (offset, message) or null. */
function checkPath(pattern: string, kind: 'read' | 'write' | 'exec'): { offset: number; message: string } | null {
  if (!pattern.includes('/')) return null; // a bare name: a program name (exec) or a file name anywhere (read/write)
  if (!(pattern.startsWith('/') || pattern.startsWith('~/') || pattern.startsWith('**/')))
    return { offset: 0, message: `a ${kind} path must start with / (absolute), ~/ (the agent's home) or **/ (anywhere)` };
  const segs = pattern.split('/');
  let pos = 0;
  for (const s of segs) {
    // Threat: `..` makes what a rule covers differ from what it looks like it covers.
    if (s === '..' || s === '.') return { offset: pos, message: `"${s}" segments are not allowed in a path pattern` };
    pos += s.length + 1;
  }
  return null;
}

function validatePattern(kind: RuleKind, pattern: string): { offset: number; message: string } | null {
  const ctl = /[\u0000-\u001f\u007f]/.exec(pattern);
  if (ctl) return { offset: ctl.index, message: 'control characters are not allowed in a pattern' };
  // Threat: a profile that reads `deny exec ssh` but holds `s\u200bsh` (zero-width, bidi, C1 characters)
  // masks nothing while it looks right to whoever reviews it (attack pass I).
  const hidden = /[\p{Cc}\p{Cf}\u2028\u2029]/u.exec(pattern);
  if (hidden) {
    const code = `U+${hidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return { offset: hidden.index, message: `an invisible character (${code}) is not allowed in a pattern: the rule would not cover what it seems to; retype it` };
  }
  switch (kind) {
    case 'net': {
      const p = parseNetPattern(pattern);
      return p.ok ? null : { offset: p.offset, message: `invalid net pattern: ${p.message}` };
    }
    case 'secret': {
      if (SECRET_PATTERN_RE.test(pattern)) return null;
      const bad = /[^A-Za-z0-9_.*-]/.exec(pattern)!;
      return { offset: bad.index, message: `"${bad[0]}" is not allowed in a secret name (letters, digits, _ . - and * wildcards)` };
    }
    case 'read':
    case 'write':
    case 'exec':
      return checkPath(pattern, kind);
    case 'action':
      return null;
  }
}

function parseLine(line: string, lineNo: number, out: ParsedRules): void {
  let i = skipWs(line, 0);
  if (atEnd(line, i)) return;
  const eff = readWord(line, i);
  const effCol = i + 1;
  if (isAdvisoryEffect(eff.text)) {
    i = skipWs(line, eff.end);
    if (atEnd(line, i)) throw new LineError(eff.end + 1, `missing text after ${eff.text}: write ${eff.text} "your sentence"`);
    if (line[i] !== '"') throw new LineError(i + 1, `the text of ${eff.text} must be in double quotes: ${eff.text} "${line.slice(i).split('#')[0]!.trim()}"`);
    const q = readQuoted(line, i);
    if (q.text.trim() === '') throw new LineError(i + 1, `the text of ${eff.text} is empty`);
    expectEnd(line, q.end, 'the quoted text');
    out.advisories.push({ type: eff.text, text: q.text, line: lineNo });
    return;
  }
  if (!(EFFECTS as readonly string[]).includes(eff.text)) {
    throw new LineError(effCol, `unknown effect "${eff.text || line[i]}" (expected ${EFFECT_LIST})`);
  }
  const effect = eff.text as Effect;
  i = skipWs(line, eff.end);
  if (atEnd(line, i)) throw new LineError(i + 1, `missing kind after "${effect}" (expected ${KIND_LIST})`);
  const kindW = readWord(line, i);
  if (!(RULE_KINDS as readonly string[]).includes(kindW.text)) {
    throw new LineError(i + 1, `unknown kind "${kindW.text}" (expected ${KIND_LIST})`);
  }
  const kind = kindW.text as RuleKind;
  i = skipWs(line, kindW.end);
  if (atEnd(line, i)) throw new LineError(i + 1, `missing pattern after "${effect} ${kind}"`);
  const patCol = i + 1;
  let pattern: string;
  let shown: string;
  let quoted = false;
  if (kind === 'action') {
    const hash = line.indexOf('#', i);
    pattern = line.slice(i, hash < 0 ? undefined : hash).trim();
    shown = pattern;
  } else if (line[i] === '"') {
    if (kind !== 'read' && kind !== 'write' && kind !== 'exec') throw new LineError(patCol, `${kind} patterns are not quoted`);
    const q = readQuoted(line, i);
    if (q.text === '') throw new LineError(patCol, `missing pattern after "${effect} ${kind}"`);
    expectEnd(line, q.end, 'the pattern');
    pattern = q.text;
    quoted = true;
    shown = `"${pattern.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  } else {
    const w = readWord(line, i);
    expectEnd(line, w.end, 'the pattern');
    pattern = w.text;
    shown = pattern;
  }
  const err = validatePattern(kind, pattern);
  // Quoted patterns start one column after the quote.
  if (err) throw new LineError(patCol + (quoted ? 1 : 0) + err.offset, err.message);
  out.rules.push({ effect, kind, pattern, text: `${effect} ${kind} ${shown}`, line: lineNo, col: effCol });
}

/**
 * Parses rule text into rules and advisories. `Rule.col` is the rule's first column.
 * Never throws; a line with a problem yields one diagnostic and no rule.
 */
export function parseRules(text: string): ParsedRules {
  const out: ParsedRules = { rules: [], advisories: [], diagnostics: [] };
  try {
    const lines = String(text).split('\n');
    for (let n = 0; n < lines.length; n++) {
      let line = lines[n]!;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      try {
        parseLine(line, n + 1, out);
      } catch (e) {
        if (e instanceof LineError) out.diagnostics.push({ line: n + 1, col: Math.max(1, e.col), message: e.message });
        else out.diagnostics.push({ line: n + 1, col: 1, message: `could not read this rule (${String(e)})` });
      }
    }
  } catch (e) {
    out.diagnostics.push({ line: 1, col: 1, message: `could not read the rules (${String(e)})` });
  }
  return out;
}
