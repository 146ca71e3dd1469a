import { describe, expect, it } from 'vitest';
import { formatEvent } from '../../src/cli/commands/events.js';
import { printable, quoted, table } from '../../src/cli/format.js';
import type { PaddockEvent } from '../../src/shared/events.schema.js';

// Threat: agent-chosen text (a SOCKS host name, an ask's detail) carrying terminal escapes that
// erase or fake lines in `paddock events` / `paddock approvals`.
describe('agent-chosen text in the CLI', () => {
  const evil = 'x\u001b[2K\u001b[1A\u001b]0;pwned\u0007\r\nfake row\u009b31m\u202egnp.exe';

  it('never reaches the terminal raw in events', () => {
    const line = formatEvent({ id: 1, ts: '2026-01-01T00:00:00.000Z', agent: 'a', run: 'r', kind: 'net.deny', host: evil, port: 1, argv: [evil] } as unknown as PaddockEvent);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(line).toContain('\\u001b[2K');
    expect(line).toContain('\\u009b');
    expect(line).toContain('\\u202e');
    expect(line.split('\n')).toHaveLength(1);
  });

  it('never reaches the terminal raw in tables (approvals, ps)', () => {
    const out = table([['id', 'detail'], ['7', evil]]);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(printable('plain text ok')).toBe('plain text ok');
    expect(quoted('a b')).toBe('"a b"');
  });
});

// Threat: the same text in the app's review (file names, diffs): the shared helper keeps a diff's lines.
describe('agent-chosen text in multi-line views', () => {
  it('keeps tabs and line breaks and makes every other control, format and bidi character visible', async () => {
    const { printableText } = await import('../../src/shared/printable.js');
    expect(printableText('+a\tb\n-c\u202ed\u001b[1m\r\u2028')).toBe('+a\tb\n-c\\u202ed\\u001b[1m\\u000d\\u2028');
  });
});
