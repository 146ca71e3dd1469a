/**
 * A minimal terminal screen for the Terminal tab until xterm.js is added: a scrollback of lines
 * and a cursor. Understands CR, LF, BS, TAB, "erase to end of line" and "clear screen"; every other
 * escape sequence (colours, modes, titles) is dropped. Not a full VT100.
 */
export class TerminalScreen {
  lines: string[] = [''];
  private col = 0;
  private pending = '';

  constructor(private readonly maxLines = 5000) {}

  /** Feeds decoded output text. */
  write(text: string): void {
    const s = this.pending + text;
    this.pending = '';
    let i = 0;
    while (i < s.length) {
      const ch = s[i]!;
      if (ch === '\x1b') {
        const m = /^\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()#][0-9A-Za-z]|[=>78cDEHMNOZ\\])/.exec(s.slice(i));
        if (!m) {
          // An incomplete sequence at the end of a chunk: keep it for the next one (bounded).
          if (s.length - i < 64) this.pending = s.slice(i);
          break;
        }
        if (m[2] === 'K') this.eraseLine(m[1] ?? '');
        else if (m[2] === 'J' && (m[1] === '2' || m[1] === '3')) this.clear();
        i += m[0].length;
        continue;
      }
      if (ch === '\r') this.col = 0;
      else if (ch === '\n') this.newline();
      else if (ch === '\b') this.col = Math.max(0, this.col - 1);
      else if (ch === '\t') this.put(' '.repeat(8 - (this.col % 8)));
      else if (ch >= ' ' && ch !== '\x7f') this.put(ch);
      i++;
    }
  }

  /** The screen as text (for a `<pre>`). */
  text(): string {
    return this.lines.join('\n');
  }

  private put(chars: string): void {
    const last = this.lines.length - 1;
    const line = this.lines[last]!.padEnd(this.col, ' ');
    this.lines[last] = line.slice(0, this.col) + chars + line.slice(this.col + chars.length);
    this.col += chars.length;
  }

  private newline(): void {
    this.lines.push('');
    this.col = 0;
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  private eraseLine(arg: string): void {
    const last = this.lines.length - 1;
    if (arg === '' || arg === '0') this.lines[last] = this.lines[last]!.slice(0, this.col);
    else if (arg === '2') this.lines[last] = '';
  }

  private clear(): void {
    this.lines = [''];
    this.col = 0;
  }
}

/** The bytes a terminal sends for a key press, or null for keys it does not send (Shift alone…). */
export function keyBytes(e: { key: string; ctrlKey: boolean; altKey: boolean; metaKey: boolean }): string | null {
  if (e.metaKey) return null;
  if (e.ctrlKey && e.key.length === 1) {
    const c = e.key.toUpperCase().charCodeAt(0);
    if (c >= 64 && c <= 95) return String.fromCharCode(c - 64); // Ctrl-C → \x03, Ctrl-D → \x04 …
    if (e.key === ' ') return '\x00';
    return null;
  }
  const named: Record<string, string> = {
    Enter: '\r',
    Backspace: '\x7f',
    Tab: '\t',
    Escape: '\x1b',
    ArrowUp: '\x1b[A',
    ArrowDown: '\x1b[B',
    ArrowRight: '\x1b[C',
    ArrowLeft: '\x1b[D',
    Home: '\x1b[H',
    End: '\x1b[F',
    Delete: '\x1b[3~',
    PageUp: '\x1b[5~',
    PageDown: '\x1b[6~',
  };
  if (e.key in named) return named[e.key]!;
  if (e.key.length === 1) return e.altKey ? `\x1b${e.key}` : e.key;
  return null;
}
