/**
 * Terminal output made safe to show as plain text (the Logs tab, `paddock logs`): escape sequences
 * are removed (colours kept on request), a lone carriage return becomes a line break, and every
 * other control character except tab and newline is dropped.
 */
// Threat: an agent's output carrying escape sequences that act on the viewer's terminal (OSC 52
// writes the clipboard, OSC 0 retitles the window, CSI moves the cursor to overwrite lines shown).
/**
 * The 7-bit escape sequences removed here, as a regular expression's source: CSI (incl. SGR), OSC
 * (BEL or ST ended), DCS/SOS/PM/APC strings, and two-byte ESC sequences. Shared with the recordings'
 * secret masking (src/core/runs/output/mask.ts), which must step over exactly what is removed here.
 */
export const ESC_SEQUENCES = String.raw`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?`;
// The above and the 8-bit CSI (decoded text: one character).
const ESCAPES = new RegExp(`${ESC_SEQUENCES}|\\x9b[0-?]*[ -/]*[@-~]`, 'g');
const SGR = /^\x1b\[[0-9;:]*m$/;
// C0 and C1 controls other than \t and \n (the \r left after the line-break rule goes too).
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function plainText(s: string, opts: { keepColor?: boolean } = {}): string {
  return s
    .replace(/\u0000/g, '') // NUL marks the colours kept below
    .replace(ESCAPES, (m) => (opts.keepColor && SGR.test(m) ? m.replace('\x1b', '\u0000') : ''))
    .replace(/\r+\n/g, '\n')
    .replace(/\r/g, '\n')
    .replace(CONTROLS, (c) => (c === '\u0000' && opts.keepColor ? c : ''))
    .replace(/\u0000/g, opts.keepColor ? '\x1b' : '');
}
