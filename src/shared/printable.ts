/** Control, format (bidi overrides) and separator characters, as a terminal or a page would act on them. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
/** The same, minus tab and newline: for multi-line text (a diff) shown in a `<pre>`. */
const UNPRINTABLE_IN_TEXT = /[^\P{Cc}\t\n]|[\p{Cf}\u2028\u2029]/gu;
const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Text an agent may have chosen (hosts, ask details, file names), with control, format and bidi
 * characters made visible as `\uXXXX`.
 * Threat: escape sequences that erase or fake lines (e.g. a fake row in `paddock approvals`, so
 * the user approves the wrong id), retitle the window, or a name that reads differently than it is
 * (`U+202E` turning `evil\u202egpj.sh` into "evilhs.jpg", a newline faking a second file).
 */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, escapeChar);
}

/** {@link printable} for multi-line text: tabs and line breaks are kept. */
export function printableText(s: string): string {
  return s.replace(UNPRINTABLE_IN_TEXT, escapeChar);
}

/**
 * One JSON Lines record for a terminal: `JSON.stringify`, with the characters it leaves raw (C1
 * controls such as U+009B CSI and U+009D OSC, DEL, bidi and other format characters, line and
 * paragraph separators) written as `\uXXXX` escapes: the same JSON value, nothing a terminal acts on.
 * Threat: an agent-chosen file name or ask detail with C1 escape sequences recolouring, retitling
 * or (OSC 52) writing the clipboard of the user's terminal through `paddock events --json`.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(UNPRINTABLE, (c) => Array.from({ length: c.length }, (_, i) => escapeChar(c[i]!)).join(''));
}

/** A value quoted for a key=value line: JSON quoting, plus the characters JSON leaves raw. */
export function quoted(s: string): string {
  return JSON.stringify(s).replace(UNPRINTABLE, escapeChar);
}
