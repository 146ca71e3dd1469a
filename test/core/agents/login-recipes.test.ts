import { describe, expect, it } from 'vitest';
import { formatLoginRecipes, LOGIN_RECIPES, loginRecipe } from '../../../src/core/agents/login-recipes.js';
import { parseRules } from '../../../src/core/policy/rule-parser.js';

describe('login recipes', () => {
  it('cover every preset the issue names', () => {
    expect(LOGIN_RECIPES.map((r) => r.id)).toEqual(['claude-code', 'codex', 'openclaw', 'aider', 'goose', 'github-cli', 'git-ssh']);
    expect(loginRecipe('github-cli')?.flow).toBe('device-code');
  });
  it('suggest rules that parse in the rule language', () => {
    for (const r of LOGIN_RECIPES) {
      const parsed = parseRules(r.rules.join('\n'));
      expect(parsed.diagnostics, r.id).toEqual([]);
      expect(parsed.rules.length).toBe(r.rules.length);
    }
  });
  it('render as help text with commands and rules', () => {
    const text = formatLoginRecipes();
    expect(text).toContain('$ gh auth login');
    expect(text).toContain('allow net github.com:22');
  });
});

describe('the Claude Code recipe (issue 16 item 8)', () => {
  it('says claude doctor belongs in the terminal (it hangs without one) and names the hook install', () => {
    const notes = loginRecipe('claude-code')!.notes;
    expect(notes).toMatch(/claude doctor/);
    expect(notes).toMatch(/needs a terminal/);
    expect(notes).toContain('paddock hook install NAME claude-code');
  });
});
