import { describe, expect, it } from 'vitest';
import { wrapperHelpers } from '../../../src/core/runs/wrapper-helpers.js';
import { ptyWrap, ptyWrapHelpers } from '../../../src/core/terminal/shell-command.js';

describe("the terminal wrapper's helper marking", () => {
  const cmd = ['/bin/bash', '-l'];
  const size = { cols: 83, rows: 28 };
  it("marks the wrapper's exact argv (script, sh -c stty…, stty) until the user's command is seen", () => {
    const is = wrapperHelpers(ptyWrapHelpers(cmd, size));
    const w = ptyWrap(cmd, size);
    expect(is(w)).toBe(true);
    expect(is(['sh', '-c', w[2]!])).toBe(true);
    expect(is(['stty', 'cols', '83', 'rows', '28'])).toBe(true);
    expect(is(cmd)).toBe(false);
    // Threat: the agent copies the exact argv afterwards; the window is closed.
    expect(is(w)).toBe(false);
    expect(is(['stty', 'cols', '83', 'rows', '28'])).toBe(false);
  });
  it('never marks a near copy (another size, another command, extra words)', () => {
    const w = ptyWrap(cmd, size);
    for (const argv of [ptyWrap(cmd, { cols: 84, rows: 28 }), ptyWrap(['/bin/sh'], size), [...w, 'x'], ['/usr/bin/script', ...w.slice(1)], ['bash', '-c', w[2]!]]) {
      expect(wrapperHelpers(ptyWrapHelpers(cmd, size))(argv)).toBe(false);
    }
  });
  it('marks nothing for a run without a wrapper', () => {
    expect(wrapperHelpers([])(ptyWrap(cmd, size))).toBe(false);
  });
});
