/**
 * Attack pass G (black box), terminal escapes through `--json`: `paddock events` escapes what an
 * agent chose (file names, ask details), but `paddock events --json` printed them as
 * `JSON.stringify` does, which leaves C1 controls raw: a file named `c1-\u009b31m…` (CSI) or with
 * `\u009d0;title\u009c` (OSC … ST) recoloured and retitled the user's terminal (OSC 52 writes its
 * clipboard where the terminal allows it), and U+2028 / U+202E reordered or broke the line. Every
 * `--json` listing now writes those as `\uXXXX`: the same JSON value, nothing a terminal acts on.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLine } from '../../src/shared/printable.js';
import { paddock } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('atkg-json');
afterAll(() => s.cleanup());

// What a terminal would act on: C0 (JSON escapes these itself), DEL, C1, bidi/format, separators.
const RAW = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]/;

describe('--json output and agent-chosen text', { timeout: 60_000 }, () => {
  it('a file name and an ask detail with C1 escape sequences, U+2028 and U+202E reach no terminal raw', () => {
    // printf octal escapes: \302\233 = U+009B (CSI), \302\235 = U+009D (OSC), \302\234 = U+009C (ST),
    // \342\200\250 = U+2028, \342\200\256 = U+202E.
    const name = 'c1-\\302\\23331mRED-\\302\\2350;pwned\\302\\234-\\342\\200\\250-\\342\\200\\256fdp.exe';
    const { dataDir, file, name: agent } = s.setup((n) => ({
      name: n,
      approvals: { timeout: 1 },
      command: ['bash', '-c', `f=$(printf '${name}'); touch "$f"; paddock-ask "act" "detail $f" || true; sleep 0.5`],
    }));
    expect(paddock(['--data-dir', dataDir, 'run', file]).code).toBe(0);
    const out = paddock(['--data-dir', dataDir, 'events', '--agent', agent, '--json']).stdout;
    const lines = out.trim().split('\n');
    for (const l of lines) expect(l).not.toMatch(RAW);
    const evs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    // Positive control: the same values, exactly, once parsed.
    const want = 'c1-\u009b31mRED-\u009d0;pwned\u009c-\u2028-\u202efdp.exe';
    expect(evs.some((e) => e.kind === 'fs.change' && String(e.path).endsWith(`/${want}`))).toBe(true);
    expect(evs.some((e) => e.kind === 'action.ask' && e.detail === `detail ${want}`)).toBe(true);
    const text = paddock(['--data-dir', dataDir, 'events', '--agent', agent]).stdout;
    expect(text).not.toMatch(/[\u007f-\u009f\u2028\u202e]/);
  });

  it('jsonLine keeps every value exact, astral format characters included (control)', () => {
    const v = { a: 'x\u009b\u{e0001}y\u2029\u0085', n: [1, null, true], s: '\ud800 lone' };
    const line = jsonLine(v);
    expect(line).not.toMatch(RAW);
    expect(line).not.toMatch(/[\u{e0001}]/u);
    expect(JSON.parse(line)).toEqual(v);
  });
});
