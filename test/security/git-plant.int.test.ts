/**
 * Attack class: planting git settings or hooks that run a program in a folder the user's own git
 * later walks (issue 13 item 2). The protected outer `.git/config` and hooks are not enough: the
 * agent can `git init` a nested repository, write a `.git` file pointing at a git dir it made, or
 * make a folder that git opens as a bare repository. After the run, the user's `git status`,
 * `diff`, `commit` and `fetch` in those folders must not run anything the agent wrote, and an
 * `alert` of type `git-plant` must be on the record. Positive controls: the user's repository and a
 * nested repository that existed before the run keep working untouched, and a harmless repository
 * the agent made stays where it is.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, waitFor } from '../helpers/cli.js';
import { events, runResuming, suite } from './helpers.js';

const s = suite('gitplant');
afterAll(() => s.cleanup());

/** The user's git on the host: no global/system config, a private HOME (nothing of this machine's git setup). */
function hostGit(cwd: string, args: string[]): { code: number | null; out: string } {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(s.dir, 'user-home'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'User', GIT_AUTHOR_EMAIL: 'user@example.test', GIT_COMMITTER_NAME: 'User', GIT_COMMITTER_EMAIL: 'user@example.test',
    GIT_CEILING_DIRECTORIES: s.dir,
  };
  const r = spawnSync('git', args, { cwd, env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function userRepo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  hostGit(dir, ['init', '-q', '-b', 'main']);
  writeFileSync(join(dir, 'README'), 'user file\n');
  hostGit(dir, ['add', 'README']);
  hostGit(dir, ['commit', '-q', '-m', 'user commit']);
}

describe('git plants in writable folders', () => {
  const proj = join(s.dir, 'proj'); // rw folder, a git repository
  const plain = join(s.dir, 'plain'); // rw folder, not a git repository at start
  const ws = join(s.dir, 'workspace');
  const markers = join(s.dir, 'markers'); // outside every grant: only the host can write here
  const vendor = join(proj, 'vendor', 'lib'); // the user's own nested repository, before the run
  mkdirSync(join(s.dir, 'user-home'));
  mkdirSync(markers);
  userRepo(proj);
  userRepo(vendor);
  mkdirSync(plain);
  mkdirSync(ws);

  it("after the run, the user's git runs nothing the agent planted; git-plant alerts; the user's repositories keep working", async () => {
    const payload = (tag: string): string => `printf '#!/bin/sh\\ntouch ${markers}/${tag}\\n'`;
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      workspace: ws,
      folders: [{ path: proj, access: 'rw' }, { path: plain, access: 'rw' }],
      command: [
        'bash',
        '-c',
        [
          'set -u',
          'export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@a GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@a',
          // 1. a nested repository with core.fsmonitor (runs on the user's git status / diff / commit)
          `mkdir -p ${proj}/evil1 && cd ${proj}/evil1 && git init -q && ${payload('fsmonitor')} > ../.fsm.sh && chmod +x ../.fsm.sh && git config core.fsmonitor ${proj}/.fsm.sh && echo PLANTED-1`,
          // 2. a .git file pointing at a git dir the agent made, with core.hooksPath (runs on commit)
          `mkdir -p ${proj}/evil2 ${proj}/.hooks2 && cd ${proj}/evil2 && git init -q --bare ${proj}/.gd2 && git --git-dir=${proj}/.gd2 config core.bare false`,
          `git --git-dir=${proj}/.gd2 config core.hooksPath ${proj}/.hooks2 && ${payload('hookspath')} > ${proj}/.hooks2/pre-commit && chmod +x ${proj}/.hooks2/pre-commit`,
          `echo "gitdir: ../.gd2" > .git && echo PLANTED-2`,
          // 3. an executable hook in a new nested repository
          `mkdir -p ${proj}/evil3 && cd ${proj}/evil3 && git init -q && ${payload('hook')} > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit && echo PLANTED-3`,
          // 4. a folder git opens as a bare repository, whose fetch runs remote.origin.uploadpack
          `git init -q --bare ${proj}/evil4 && cd ${proj}/evil4 && ${payload('uploadpack')} > ../.up.sh && chmod +x ../.up.sh`,
          `git config remote.origin.url ${vendor} && git config remote.origin.uploadpack ${proj}/.up.sh && echo PLANTED-4`,
          // 5. .git at the top of a rw folder that was not a repository
          `cd ${plain} && git init -q && ${payload('top')} > ${plain}/.t.sh && chmod +x ${plain}/.t.sh && git config core.fsmonitor ${plain}/.t.sh && echo PLANTED-5`,
          // 6. a nested repository in the workspace
          `mkdir -p ${ws}/sub && cd ${ws}/sub && git init -q && ${payload('workspace')} > ${ws}/.w.sh && chmod +x ${ws}/.w.sh && git config core.fsmonitor ${ws}/.w.sh && echo PLANTED-6`,
          // the protected outer repository stays protected
          `git -C ${proj} config core.fsmonitor ${proj}/.fsm.sh 2>/dev/null && echo OUTER-CONFIG-WRITTEN`,
          // positive control: a harmless repository the agent makes (and commits in) stays
          `mkdir -p ${proj}/newproj && cd ${proj}/newproj && git init -q && git config user.name agent && echo hi > f && git add f && git commit -q -m agent && echo NEWPROJ-OK`,
          `echo agent-change > ${proj}/result.txt && echo end`,
        ].join('\n'),
      ],
    }));
    const r = await runResuming(dataDir, file, name, { ms: 40_000 });
    expect(r.stdout).toContain('end');
    for (const n of [1, 2, 3, 4, 5, 6]) expect(r.stdout).toContain(`PLANTED-${n}`);
    expect(r.stdout).not.toContain('OUTER-CONFIG-WRITTEN');
    expect(r.stdout).toContain('NEWPROJ-OK');

    // The user's git in every folder the agent could write: status, diff, commit, fetch.
    for (const d of [proj, `${proj}/evil1`, `${proj}/evil2`, `${proj}/evil3`, plain, `${ws}/sub`]) {
      hostGit(d, ['status']);
      hostGit(d, ['diff']);
      hostGit(d, ['commit', '-q', '--allow-empty', '-m', 'user']);
    }
    hostGit(`${proj}/evil4`, ['fetch', '-q', 'origin']);
    hostGit(`${proj}/evil4`, ['log']);
    expect(readdirSync(markers)).toEqual([]);

    const alerts = events(dataDir, name, 'alert').filter((e) => e.type === 'git-plant');
    for (const p of [`${proj}/evil1/.git`, `${proj}/evil2/.git`, `${proj}/evil3/.git`, `${proj}/evil4/config`, `${plain}/.git`, `${ws}/sub/.git`]) {
      expect(alerts.some((e) => e.path === p), `alert for ${p}`).toBe(true);
    }

    // Positive controls: the user's repositories work and were not touched.
    expect(hostGit(proj, ['add', 'result.txt']).code).toBe(0);
    expect(hostGit(proj, ['commit', '-q', '-m', 'user takes the result']).code).toBe(0);
    expect(hostGit(proj, ['log', '--format=%s']).out).toContain('user takes the result');
    expect(hostGit(vendor, ['log', '--format=%s']).out.trim()).toBe('user commit');
    expect(hostGit(vendor, ['status', '--porcelain']).out.trim()).toBe('');
    expect(hostGit(`${proj}/newproj`, ['log', '--format=%s']).out.trim()).toBe('agent');
    expect(existsSync(join(proj, 'newproj', '.git', 'config'))).toBe(true);

    // The quarantine lists what was moved and can put an item back where it was.
    const q = paddock(['--data-dir', dataDir, 'quarantine', '--json']);
    expect(q.code).toBe(0);
    const items = q.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; path: string });
    const evil3 = items.find((i) => i.path === `${proj}/evil3/.git`);
    expect(evil3).toBeDefined();
    expect(existsSync(join(proj, 'evil3', '.git'))).toBe(false);
    const back = paddock(['--data-dir', dataDir, 'quarantine', 'restore', evil3!.id]);
    expect(back.code, back.stderr).toBe(0);
    expect(existsSync(join(proj, 'evil3', '.git', 'hooks', 'pre-commit'))).toBe(true);
    expect(events(dataDir, name, 'fs.change').some((e) => e.change === 'quarantine-restored' && e.path === `${proj}/evil3/.git`)).toBe(true);
    // (the restored hook is the user's decision now; not run here)
    chmodSync(join(proj, 'evil3', '.git', 'hooks', 'pre-commit'), 0o644);
  }, 90_000);

  it('a plant seen during the run raises git-plant and pauses the agent; a host killed mid-run is caught up at the next start', async () => {
    const late = join(s.dir, 'late');
    userRepo(late);
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      workspace: join(s.dir, 'ws-late'),
      folders: [{ path: late, access: 'rw' }],
      command: ['bash', '-c', `mkdir ${late}/sub && cd ${late}/sub && git init -q && git config core.fsmonitor ${late}/x.sh && echo PLANTED; sleep 60`],
    }));
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    try {
      await waitFor(() => events(dataDir, name, 'agent.pause').length > 0, 30_000, 200);
      expect(events(dataDir, name, 'alert').some((e) => e.type === 'git-plant' && String(e.path).startsWith(`${late}/sub/.git`))).toBe(true);
    } finally {
      // The host dies before the run ends: nothing was moved yet.
      run.child.kill('SIGKILL');
      await run.exit;
    }
    await waitFor(() => !paddock(['--data-dir', dataDir, 'ps']).stdout.includes(name), 10_000, 200);
    expect(existsSync(join(late, 'sub', '.git'))).toBe(true);
    // The agent's next start checks the unfinished run first.
    const again = paddock(['--data-dir', dataDir, 'run', file, '--', 'true']);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(late, 'sub', '.git'))).toBe(false);
    const ended = events(dataDir, name, 'alert').filter((e) => e.type === 'git-plant' && e.path === `${late}/sub/.git`);
    expect(ended.some((e) => typeof e.quarantine === 'string')).toBe(true);
    expect(hostGit(late, ['status', '--porcelain']).code).toBe(0);
  }, 90_000);
});
