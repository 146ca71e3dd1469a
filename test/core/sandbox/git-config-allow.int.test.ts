import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, tempDir } from '../../helpers/cli.js';

const tmp = tempDir('paddock-gitcfg-');
afterAll(() => tmp.cleanup());

function repo(dir: string): string {
  const r = spawnSync('git', ['init', '-q', dir], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return join(dir, '.git', 'config');
}

/**
 * Issue 16 item 6: git config of a repository in a writable folder is read-only by default (it can
 * run programs later on the host); `allow write REPO/.git/config` lifts that for one repository.
 */
describe('allow write REPO/.git/config (real bubblewrap)', { timeout: 60_000 }, () => {
  it('lets git config and git remote add work in that repository; another stays protected, and so do its hooks', () => {
    const src = join(tmp.dir, 'src');
    const a = repo(join(src, 'a'));
    const b = repo(join(src, 'b'));
    const bBefore = readFileSync(b, 'utf8');
    const file = join(tmp.dir, 'p.yaml');
    writeFileSync(file, `name: gitcfg\nnetwork: off\nfolders:\n  - { path: ${src}, access: rw }\nrules: |\n  allow write ${a}\n`);
    const script = [
      `cd ${src}/a && git config user.name agent-a && git remote add origin https://example.invalid/a.git && echo A-OK`,
      `cd ${src}/b && git config user.name agent-b 2>&1; echo B-EXIT=$?`,
      `echo x > ${src}/a/.git/hooks/pre-commit 2>/dev/null; echo HOOK-EXIT=$?`,
    ].join('\n');
    const r = paddock(['--data-dir', join(tmp.dir, 'data'), 'run', file, '--', '/bin/sh', '-c', script]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('A-OK');
    expect(readFileSync(a, 'utf8')).toMatch(/name = agent-a[\s\S]*url = https:\/\/example.invalid\/a.git/);
    // The other repository: what the agent sees, and its config as it was.
    expect(r.stdout).toContain('Device or resource busy');
    expect(r.stdout).not.toContain('B-EXIT=0');
    expect(readFileSync(b, 'utf8')).toBe(bBefore);
    // Hooks of the allowed repository stay read-only: the rule names the config only.
    expect(r.stdout).toMatch(/HOOK-EXIT=[1-9]/);
  });
});
