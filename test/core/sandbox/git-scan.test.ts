import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { programKeys } from '../../../src/core/sandbox/git-config-keys.js';
import { findPlants, scanGitTrees } from '../../../src/core/sandbox/git-scan.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' });

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tree(): { root: string; home: string } {
  const base = mkdtempSync(join(tmpdir(), 'paddock-gitscan-'));
  dirs.push(base);
  const root = join(base, 'tree');
  const home = join(base, 'home');
  mkdirSync(root);
  mkdirSync(home);
  return { root, home };
}

/** Snapshot, let `act` change the tree, then what findPlants reports (paths relative to the tree). */
async function plantsAfter(root: string, home: string, act: () => void): Promise<Array<{ gitDir: string; neutralise: string[]; reasons: string[] }>> {
  const before = (await scanGitTrees([root], { left: 100_000 })).files;
  act();
  const found = await findPlants(await scanGitTrees([root], { left: 100_000 }), before, [root], { agentWritable: [root, home] });
  const rel = (p: string): string => p.replace(`${root}/`, '').replace(home, '~');
  return found.map((p) => ({ gitDir: rel(p.gitDir), neutralise: p.neutralise.map(rel), reasons: p.reasons }));
}

describe('program-running git keys', () => {
  it('the settings git init, clone and remote add write are safe; settings that run programs or read other files are not', () => {
    const safe: Array<[string, string]> = [
      ['core.repositoryformatversion', '0'], ['core.filemode', 'true'], ['core.bare', 'false'], ['core.logallrefupdates', 'true'],
      ['user.name', 'a'], ['remote.origin.url', 'https://example.test/x.git'], ['remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*'],
      ['branch.main.remote', 'origin'], ['branch.main.merge', 'refs/heads/main'], ['filter.lfs.clean', 'git-lfs clean -- %f'],
    ];
    expect(programKeys(safe)).toEqual([]);
    const bad = ['core.fsmonitor', 'core.hookspath', 'core.sshcommand', 'core.pager', 'core.editor', 'filter.x.smudge', 'diff.x.textconv',
      'include.path', 'includeif.gitdir:/.path', 'alias.st', 'remote.origin.uploadpack', 'credential.helper', 'gc.recentobjectshook',
      'hook.x.command', 'pager.log', 'sequence.editor', 'submodule.x.update', 'protocol.ext.allow', 'url.ext::sh.insteadof', 'filter.lfs.clean'];
    expect(programKeys(bad.map((k) => [k, k === 'filter.lfs.clean' ? 'sh -c evil' : 'x']))).toEqual(bad);
  });
});

describe('findPlants', () => {
  it('a harmless new repository and an untouched existing one are not plants; a new one with core.fsmonitor is, moved whole', async () => {
    const { root, home } = tree();
    git(root, 'init', '-q', 'mine');
    git(join(root, 'mine'), 'config', 'core.pager', 'less'); // the user's own setting, before the run
    const found = await plantsAfter(root, home, () => {
      git(root, 'init', '-q', 'harmless');
      git(join(root, 'harmless'), 'config', 'user.name', 'agent');
      git(root, 'init', '-q', 'evil');
      git(join(root, 'evil'), 'config', 'core.fsmonitor', '/x.sh');
    });
    expect(found).toEqual([{ gitDir: 'evil/.git', neutralise: ['evil/.git'], reasons: ['config: core.fsmonitor'] }]);
  });

  it('a .git file into a git dir the agent made; a bare repository; a hook; links', async () => {
    const { root, home } = tree();
    git(root, 'init', '-q', 'old');
    const found = await plantsAfter(root, home, () => {
      git(root, 'init', '-q', '--bare', 'gd');
      git(join(root, 'gd'), 'config', 'core.hookspath', '/h');
      mkdirSync(join(root, 'wt'));
      writeFileSync(join(root, 'wt', '.git'), 'gitdir: ../gd\n');
      writeFileSync(join(root, 'old', '.git', 'hooks', 'post-checkout'), '#!/bin/sh\n');
      chmodSync(join(root, 'old', '.git', 'hooks', 'post-checkout'), 0o755);
      writeFileSync(join(root, 'old', '.git', 'hooks', 'pre-push.sample'), '#!/bin/sh\n', { mode: 0o755 });
      mkdirSync(join(root, 'ln'));
      symlinkSync(join(home, 'later'), join(root, 'ln', '.git')); // dangling now: made out of the trees later
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { gitDir: 'gd', neutralise: ['wt/.git'], reasons: ['config: core.hookspath'] },
        { gitDir: 'gd', neutralise: ['gd/config'], reasons: ['config: core.hookspath'] },
        { gitDir: 'old/.git', neutralise: ['old/.git/hooks/post-checkout'], reasons: ['hooks/post-checkout: hook post-checkout'] },
        { gitDir: 'ln/.git', neutralise: ['ln/.git'], reasons: ['.git is a symbolic link'] },
      ]),
    );
    expect(found).toHaveLength(4);
  });

  it('a commondir into a folder out of the trees is cut; a pre-existing .git file whose target the agent changes out of the trees is cut', async () => {
    const { root, home } = tree();
    git(home, 'init', '-q', '--bare', 'outside');
    mkdirSync(join(root, 'pre'));
    writeFileSync(join(root, 'pre', '.git'), `gitdir: ${join(home, 'outside')}\n`);
    const found = await plantsAfter(root, home, () => {
      git(join(home, 'outside'), 'config', 'core.sshcommand', 'evil');
      git(root, 'init', '-q', '--bare', 'wtgd');
      writeFileSync(join(root, 'wtgd', 'commondir'), `${join(home, 'outside')}\n`);
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { gitDir: '~/outside', neutralise: ['pre/.git'], reasons: ['config: core.sshcommand'] },
        { gitDir: 'wtgd', neutralise: ['wtgd/commondir'], reasons: [expect.stringContaining('outside/config: core.sshcommand')] },
      ]),
    );
    expect(found).toHaveLength(2);
  });

  it('a .git file is read as git reads it: trailing spaces are part of the path (a decoy without them is not what git opens)', async () => {
    const { root, home } = tree();
    const found = await plantsAfter(root, home, () => {
      git(home, 'init', '-q', '--bare', 'x');
      git(home, 'init', '-q', '--bare', 'x  ');
      git(join(home, 'x  '), 'config', 'core.fsmonitor', '/evil');
      mkdirSync(join(root, 'w'));
      writeFileSync(join(root, 'w', '.git'), `gitdir: ${join(home, 'x  ')}\n\n`);
      mkdirSync(join(root, 'v'));
      writeFileSync(join(root, 'v', '.git'), Buffer.from([...Buffer.from('gitdir: '), 0xff, 0xfe, 0x0a]));
      mkdirSync(join(root, 'f'));
      writeFileSync(join(root, 'f', '.git'), 'gitdir: ../f/.git/x\n'); // through a file: must not end the scan
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { gitDir: '~/x  ', neutralise: ['w/.git'], reasons: ['config: core.fsmonitor'] },
        { gitDir: 'v/.git', neutralise: ['v/.git'], reasons: ['a .git file Paddock cannot follow'] },
      ]),
    );
    expect(found).toHaveLength(2);
  });

  it("a change the agent could not have made (the user's own repository out of every writable folder) is not a plant", async () => {
    const { root, home } = tree();
    const elsewhere = mkdtempSync(join(tmpdir(), 'paddock-gitscan-user-'));
    dirs.push(elsewhere);
    git(elsewhere, 'init', '-q');
    git(elsewhere, '-c', 'user.name=u', '-c', 'user.email=u@u', 'commit', '-q', '--allow-empty', '-m', 'x');
    git(elsewhere, 'worktree', 'add', '-q', join(root, 'wt'));
    const found = await plantsAfter(root, home, () => git(elsewhere, 'config', 'core.pager', 'less'));
    expect(found).toEqual([]);
  });
});
