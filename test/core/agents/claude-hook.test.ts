import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUDE_HOOK_COMMAND, mergeClaudeSettings, QUIET_ENV } from '../../../src/core/agents/claude-hook.js';
import { CLAUDE_HOOK_SCRIPT } from '../../../src/core/agents/claude-hook-script.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../../examples/claude-code/paddock-hook.mjs');

describe('the installed Claude Code hook', () => {
  it('is the example hook, byte for byte', () => {
    expect(CLAUDE_HOOK_SCRIPT).toBe(readFileSync(EXAMPLE, 'utf8'));
  });
  it('calls paddock-ask by its absolute path inside the sandbox (a login shell may reset PATH)', () => {
    expect(CLAUDE_HOOK_SCRIPT).toContain("process.env.PADDOCK_ASK ?? '/run/paddock/bin/paddock-ask'");
  });
});

describe('mergeClaudeSettings', () => {
  const parse = (t: string): Record<string, unknown> => JSON.parse(t) as Record<string, unknown>;

  it('with no settings.json: the hook for every tool, and non-essential traffic off', () => {
    const r = mergeClaudeSettings(null);
    expect(r.changed).toBe(true);
    expect(parse(r.text)).toEqual({
      hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: CLAUDE_HOOK_COMMAND }] }] },
      env: { [QUIET_ENV]: '1' },
    });
  });

  it("keeps the user's settings, hooks and env, adding Paddock's entry after theirs", () => {
    const mine = { model: 'opus', hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'my-check' }] }], Stop: [{ hooks: [] }] }, env: { FOO: 'bar' } };
    const r = parse(mergeClaudeSettings(JSON.stringify(mine)).text);
    expect(r.model).toBe('opus');
    expect(r.env).toEqual({ FOO: 'bar', [QUIET_ENV]: '1' });
    const hooks = r.hooks as { PreToolUse: unknown[]; Stop: unknown };
    expect(hooks.Stop).toEqual([{ hooks: [] }]);
    expect(hooks.PreToolUse).toHaveLength(2);
    expect(hooks.PreToolUse[0]).toEqual(mine.hooks.PreToolUse[0]);
  });

  it('is idempotent: merging its own output changes nothing', () => {
    const once = mergeClaudeSettings('{"model":"opus"}').text;
    const twice = mergeClaudeSettings(once);
    expect(twice.changed).toBe(false);
    expect(twice.text).toBe(once);
  });

  it('keeps a value the user chose for the traffic variable (turned back on), and quiet: false leaves env alone', () => {
    expect(parse(mergeClaudeSettings(`{"env":{"${QUIET_ENV}":"0"}}`).text).env).toEqual({ [QUIET_ENV]: '0' });
    expect(parse(mergeClaudeSettings('{}', { quiet: false }).text).env).toBeUndefined();
  });

  it('refuses text that is not a JSON object, or a hooks value of the wrong shape, with a code and what to do', () => {
    for (const bad of ['{ not json', '[1,2]', '{"hooks":[]}', '{"hooks":{"PreToolUse":{}}}', '{"env":"x"}']) {
      expect(() => mergeClaudeSettings(bad), bad).toThrow(expect.objectContaining({ code: 'E_INVALID_INPUT', message: expect.stringMatching(/install the hook again/) }));
    }
  });
});
