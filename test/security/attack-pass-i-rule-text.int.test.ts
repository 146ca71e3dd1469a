/**
 * Attack pass I (black box): profiles crafted to read differently from what they enforce.
 * - An invisible character in a pattern (`deny exec s\u200bsh`, a bidi override in a path, a
 *   zero-width joiner in an action name) was accepted: the rule reads `deny exec ssh` and masks
 *   nothing. Now an error at its line and column, naming the character.
 * - `deny net evil.test` without a port covers 80 and 443 only (PRODUCT.md), so with
 *   `allow net *:*` (or `deny net 127.0.0.1` + `allow net host.paddock.internal:*`) the agent
 *   still reaches it on every other port, and `paddock check` said nothing.
 * Positive controls: non-ASCII letters in a path are fine; a deny with `:*` draws no finding.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('atkitext');
afterAll(() => s.cleanup());

function write(rules: string): string {
  const file = join(s.dir, 'p.yaml');
  writeFileSync(file, `name: txt\nnetwork: on\ncommand: [sh, -c, "echo RAN"]\nrules: |\n${rules.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
  return file;
}

describe('invisible characters in rule patterns', () => {
  it('are errors naming the character and its place; the agent does not run', () => {
    const file = write('allow net *\ndeny exec s\u200bsh\ndeny read "~/.ss\u202eh/**"\ndeny action send\u2060-email\ndeny write ~/a\u0085b');
    const r = paddock(['check', file]);
    expect(r.code).toBe(2);
    // Threat: a shared profile that looks like it denies ssh while it masks nothing.
    expect(r.stderr).toMatch(/p\.yaml:6:14: an invisible character \(U\+200B\)/);
    expect(r.stderr).toMatch(/p\.yaml:7:19: an invisible character \(U\+202E\)/);
    expect(r.stderr).toMatch(/p\.yaml:8:19: an invisible character \(U\+2060\)/);
    expect(r.stderr).toMatch(/p\.yaml:9:17: an invisible character \(U\+0085\)/);
    const run = paddock(['--data-dir', join(s.dir, 'd'), 'run', file]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toContain('RAN');
  });

  it('positive control: letters outside ASCII in a path are accepted', () => {
    const r = paddock(['check', write('deny read "~/Café/naïve/**"\ndeny exec ssh')]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('a deny without a port next to a rule opening every port', () => {
  const finding = (rules: string): string[] => {
    const r = paddock(['check', write(rules)]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.split('\n').filter((l) => l.includes('net-deny-default-ports'));
  };

  it('is flagged, with the :* form as the fix', () => {
    const r = paddock(['check', write('deny net evil.test\nallow net *:*')]);
    // Threat: the user reads "never evil.test" while evil.test:8443 goes through.
    expect(r.stdout).toMatch(/MEDIUM +deny net evil\.test \(line 5\) covers ports 80 and 443 only: allow net \*:\* \(line 6\) still lets the agent reach it on other ports/);
    expect(r.stdout).toContain('suggested: deny net evil.test:*');
    expect(finding('deny net 127.0.0.1\nallow net host.paddock.internal:*')).toHaveLength(1);
    expect(finding('deny net a.evil.test\nallow net *.evil.test:8000-9000')).toHaveLength(1);
  });

  it('positive control: a deny with :*, or allows on 80/443 only, draw no finding', () => {
    expect(finding('deny net evil.test:*\nallow net *:*')).toHaveLength(0);
    expect(finding('deny net evil.test\nallow net *')).toHaveLength(0);
    expect(finding('deny net evil.test\nallow net other.test:*')).toHaveLength(0);
    expect(finding('deny net host.paddock.internal\nallow net *:*')).toHaveLength(0);
  });
});
