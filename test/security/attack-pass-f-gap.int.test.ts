/**
 * Attack pass F (black box): `allow net 0.0.0.0/0:*` / `[::/0]:*` name every address, so (by the
 * contract: a rule naming the range) the agent reaches the user's own loopback services through
 * them. `paddock check` flagged them HIGH but spoke only of "unspecified addresses … cloud metadata
 * and link-local". Positive control: a private range without loopback says nothing of it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('atkfgap');
afterAll(() => s.cleanup());

function check(rules: string): string {
  const file = join(s.dir, 'p.yaml');
  writeFileSync(file, `name: gap\nnetwork: on\nrules: |\n${rules.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
  const r = paddock(['check', file]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('the gap report says a range holding loopback opens the user computer', () => {
  it('0.0.0.0/0:* and [::/0]:* name loopback and host.paddock.internal; 10.0.0.0/8 does not', () => {
    const out = check('allow net 0.0.0.0/0:*\nallow net [::/0]:*');
    const lines = out.split('\n').filter((l) => l.includes('net-private-access'));
    expect(lines).toHaveLength(2);
    // Threat: the user allows "every address" believing only the internet is opened.
    for (const l of lines) expect(l).toMatch(/includes loopback, so every service on your computer \(host\.paddock\.internal\) is reachable/);
    const lan = check('allow net 10.0.0.0/8');
    expect(lan).toContain('net-private-access');
    expect(lan).not.toContain('includes loopback');
  });
});
