import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src/core/agents/text-diff.js';

describe('unified diff for the export review', () => {
  it('shows a changed line with context and hunk header', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const b = a.replace('line 10\n', 'line ten\n');
    expect(unifiedDiff('f.txt', a, b)).toBe(['--- a/f.txt', '+++ b/f.txt', '@@ -7,7 +7,7 @@', 'line 7', 'line 8', 'line 9', '-line 10', '+line ten', 'line 11', 'line 12', 'line 13', ''].join('\n').replace(/\nline/g, '\n line'));
  });
  it('a new file is all additions; equal files give an empty diff', () => {
    expect(unifiedDiff('n', '', 'a\nb\n')).toBe('--- a/n\n+++ b/n\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('n', 'same\n', 'same\n')).toBe('');
  });
  it('two distant edits make two hunks', () => {
    const a = Array.from({ length: 40 }, (_, i) => `${i}`).join('\n');
    const b = a.replace(/^2$/m, 'two').replace(/^35$/m, 'thirty-five');
    expect(unifiedDiff('x', a, b)!.match(/^@@/gm)).toHaveLength(2);
  });
});
