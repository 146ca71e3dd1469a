/**
 * Attack pass E (black box): a second host on a data dir of its own (`--data-dir outer/b`, neither
 * the default nor $PADDOCK_HOME) inside a folder granted to an agent of the first host. The agent
 * saw its database and agents, and its control socket answered (`runs:list`): full control of
 * that host. Every data dir this user's Paddock has prepared is now listed (in the default data
 * dir, which no sandbox sees) and hidden. Driven through the real `bin/paddock`. No network.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe } from '../helpers/cli.js';
import { runResuming, suite } from './helpers.js';

const s = suite('atkeh');
afterAll(() => s.cleanup());

describe("another host's data dir inside a granted folder", () => {
  it('is hidden (no db, no agents, no control socket) and cannot be granted; the rest of the grant stays writable', async () => {
    const outer = join(s.dir, 'outer');
    const other = join(outer, 'b');
    const home = join(s.dir, 'home');
    mkdirSync(home, { recursive: true });
    const env = { ...process.env, HOME: home, PADDOCK_HOME: undefined, XDG_CONFIG_HOME: undefined };
    const { dataDir, file, name } = s.setup((n) => ({ name: n, folders: [{ path: outer, access: 'rw' }] }));
    const host = await startServe(other, env);
    try {
      writeFileSync(join(other, 'agents', 'TOKEN'), 'OTHER-HOST');
      const cmd = [
        `ls -A ${other}; echo ls=$?`,
        `cat ${other}/agents/TOKEN; echo`,
        `printf '{"id":1,"method":"runs:list"}\\n' | socat -T2 - UNIX-CONNECT:${other}/run/paddock.sock; echo sock=$?`,
        `echo ok > ${outer}/mine.txt; echo rest=$?`,
      ].join('; ');
      const r = await runResuming(dataDir, file, name, { env, args: ['--', 'bash', '-c', cmd], ms: 40_000 });
      expect(r.stdout).not.toMatch(/^(paddock\.db|agents|run)$/m);
      expect(r.stdout).not.toContain('OTHER-HOST');
      expect(r.stdout).not.toContain('"ok":true');
      expect(r.stdout).not.toContain('sock=0');
      // Positive control: the rest of the grant.
      expect(r.stdout).toContain('rest=0');
      expect(readFileSync(join(outer, 'mine.txt'), 'utf8')).toBe('ok\n');
      // A folder inside it cannot be granted.
      const g = s.setup((n) => ({ name: n, folders: [{ path: join(other, 'agents'), access: 'ro' }] }));
      const refused = await runResuming(g.dataDir, g.file, g.name, { env, args: ['--', 'true'], ms: 40_000 });
      expect(refused.code).toBe(125);
    } finally {
      await host.stop();
    }
  }, 120_000);

  it("a data dir inside another agent's folder of the running one: the running data dir stays hidden (no pin shows it through its tmpfs)", async () => {
    const outer = join(s.dir, 'outer2');
    const home = join(s.dir, 'home2');
    mkdirSync(home, { recursive: true });
    const env = { ...process.env, HOME: home, PADDOCK_HOME: undefined, XDG_CONFIG_HOME: undefined };
    const { dataDir, file, name } = s.setup((n) => ({ name: n, folders: [{ path: outer, access: 'rw' }] }), join(outer, 'data'));
    const otherHome = join(dataDir, 'agents', 'other', 'home');
    mkdirSync(otherHome, { recursive: true });
    writeFileSync(join(otherHome, 'token'), 'OTHER-AGENT');
    // Another data dir, used once, inside the other agent's workspace: listed, so hidden too.
    const inner = join(dataDir, 'agents', 'other', 'workspace', 'inner');
    await runResuming(inner, file, name, { env, args: ['--', 'true'], ms: 40_000 });
    const r = await runResuming(dataDir, file, name, { env, args: ['--', 'bash', '-c', `cat ${otherHome}/token; echo; echo ok > ${outer}/mine.txt; echo rest=$?`], ms: 40_000 });
    expect(r.stdout).not.toContain('OTHER-AGENT');
    // Positive control: the rest of the grant.
    expect(r.stdout).toContain('rest=0');
  }, 120_000);

  it('a data dir in a git checkout inside the grant: the run starts, the data dir stays hidden and the checkout pinned', async () => {
    const outer = join(s.dir, 'outer3');
    const proj = join(outer, 'proj');
    const pd = join(proj, '.pd');
    const home = join(s.dir, 'home3');
    mkdirSync(home, { recursive: true });
    mkdirSync(proj, { recursive: true });
    execFileSync('git', ['init', '-q', proj]);
    const env = { ...process.env, HOME: home, PADDOCK_HOME: undefined, XDG_CONFIG_HOME: undefined };
    const { dataDir, file, name } = s.setup((n) => ({ name: n, folders: [{ path: outer, access: 'rw' }] }));
    await runResuming(pd, file, name, { env, args: ['--', 'true'], ms: 40_000 }); // the checkout's own data dir, used once
    writeFileSync(join(pd, 'agents', 'TOKEN'), 'PD-TOKEN');
    const cmd = [`cat ${pd}/agents/TOKEN; echo`, `mv ${proj} ${proj}.old; echo mv=$?`, `echo ok > ${proj}/mine.txt; echo rest=$?`].join('; ');
    const r = await runResuming(dataDir, file, name, { env, args: ['--', 'bash', '-c', cmd], ms: 40_000 });
    // The .git's pin bound the checkout again over the data dir's tmpfs: bwrap refused to start.
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('PD-TOKEN');
    expect(r.stdout).not.toContain('mv=0');
    // Positive control: the checkout stays writable.
    expect(r.stdout).toContain('rest=0');
    expect(readFileSync(join(proj, 'mine.txt'), 'utf8')).toBe('ok\n');
  }, 120_000);
});

