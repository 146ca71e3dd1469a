/**
 * Attack pass E (black box): `deny exec perl` masked `/usr/bin/perl` and its hard link
 * `perl5.36.0`, but Debian also ships the interpreter as `perl5.36-x86_64-linux-gnu` (its own
 * file): `perl5.36-x86_64-linux-gnu -e …` ran. Names with a version or a GNU triplet added
 * are the same program now. Driven through the real `bin/paddock run`. No network.
 */
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runResuming, suite } from './helpers.js';

const s = suite('atkex');
afterAll(() => s.cleanup());

const versioned = readdirSync('/usr/bin').filter((n) => /^perl[0-9.]+-[a-z0-9_]+-linux-gnu$/.test(n));

describe('deny exec and versioned names', () => {
  it.skipIf(versioned.length === 0)('`deny exec perl` also stops perl5.N-ARCH-linux-gnu; other programs run', async () => {
    const { dataDir, file, name } = s.setup((n) => ({ name: n, rules: 'deny exec perl\n' }));
    const cmd = [
      ...versioned.map((v) => `/usr/bin/${v} -e 'print "RAN-${v}\\n"'; echo ${v}=$?`),
      `perl -e 'print "RAN-perl\\n"'; echo perl=$?`,
      `echo abc | md5sum >/dev/null; echo md5=$?`,
    ].join('; ');
    const r = await runResuming(dataDir, file, name, { args: ['--', 'bash', '-c', cmd], ms: 40_000 });
    expect(r.stdout).not.toContain('RAN-');
    for (const v of versioned) expect(r.stdout).not.toContain(`${v}=0`);
    expect(r.stdout).not.toContain('perl=0');
    // Positive control: a program no rule names.
    expect(r.stdout).toContain('md5=0');
  }, 90_000);
});
