/**
 * Attack pass D (black box): a sandbox hid only its own data dir. An agent granted a folder that
 * holds another one — the platform's default while the host runs with `--data-dir`, or
 * `$PADDOCK_HOME` — read and wrote its database and agents' homes and could connect to its
 * control socket (a live host's: full control of it). Driven through the real `bin/paddock run`,
 * with a real second host (`paddock serve`) on the default data dir. No network.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe } from '../helpers/cli.js';
import { runResuming, suite } from './helpers.js';

const s = suite('atkdd');
afterAll(() => s.cleanup());

describe('other data dirs inside a granted folder', () => {
  it("the default data dir (a live host's) and $PADDOCK_HOME are absent; the rest of the grant and the agent's own workspace stay writable", async () => {
    const outer = join(s.dir, 'outer');
    const config = join(outer, 'config');
    const def = join(config, 'Paddock');
    const named = join(outer, 'named');
    const { dataDir, file, name } = s.setup((n) => ({ name: n, folders: [{ path: outer, access: 'rw' }] }), join(outer, 'running'));
    const other = await startServe(def);
    try {
      mkdirSync(join(named, 'agents', 'b', 'home'), { recursive: true });
      writeFileSync(join(named, 'paddock.db'), 'NAMED-DB');
      writeFileSync(join(named, 'agents', 'b', 'home', 'token'), 'NAMED-TOKEN');
      expect(existsSync(join(def, 'run', 'paddock.sock'))).toBe(true);
      const probe = (d: string, tag: string): string =>
        [
          `ls -A ${d}; echo ${tag}-ls=$?`,
          `cat ${d}/paddock.db ${d}/agents/b/home/token | head -c 200; echo`,
          `echo PLANTED >> ${d}/paddock.db; echo ${tag}-write=$?`,
          `test -S ${d}/run/paddock.sock; echo ${tag}-sock=$?`,
          `printf '{}\\n' | socat -T2 - UNIX-CONNECT:${d}/run/paddock.sock; echo ${tag}-connect=$?`,
        ].join('; ');
      const cmd = [probe(def, 'def'), probe(named, 'named'), `echo mine > ${outer}/mine.txt; echo rest=$?`, 'echo ws > here.txt; echo ws=$?'].join('; ');
      // The host runs with --data-dir: the default (from XDG_CONFIG_HOME) and $PADDOCK_HOME are others.
      const env = { ...process.env, XDG_CONFIG_HOME: config, PADDOCK_HOME: named };
      const r = await runResuming(dataDir, file, name, { env, args: ['--', 'bash', '-c', cmd], ms: 40_000 });
      expect(r.stdout).not.toMatch(/^(paddock\.db|agents|run)$/m);
      expect(r.stdout).not.toMatch(/NAMED-DB|NAMED-TOKEN|SQLite format/);
      for (const tag of ['def', 'named']) {
        expect(r.stdout).not.toContain(`${tag}-write=0`);
        expect(r.stdout).toContain(`${tag}-sock=1`);
        expect(r.stdout).not.toContain(`${tag}-connect=0`);
      }
      expect(readFileSync(join(def, 'paddock.db')).includes('PLANTED')).toBe(false);
      expect(readFileSync(join(named, 'paddock.db'), 'utf8')).toBe('NAMED-DB');
      // Positive control: the rest of the grant and the agent's own workspace (inside the running data dir).
      expect(r.stdout).toContain('rest=0');
      expect(r.stdout).toContain('ws=0');
      expect(readFileSync(join(outer, 'mine.txt'), 'utf8')).toBe('mine\n');
      expect(readFileSync(join(dataDir, 'agents', name, 'workspace', 'here.txt'), 'utf8')).toBe('ws\n');
    } finally {
      await other.stop();
    }
  }, 90_000);
});
