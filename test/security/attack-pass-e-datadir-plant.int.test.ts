/**
 * Attack pass E (black box): a data dir the host knows of but that does not exist yet ($PADDOCK_HOME,
 * or the platform's default while the host runs with --data-dir) had nothing to hide, so an agent
 * granted a folder holding its path made it and listened on `run/paddock.sock` there: the user's
 * next `paddock ps` (without --data-dir) sent its request to the agent's socket. Driven through the
 * real `bin/paddock run`. No network.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runResuming, suite } from './helpers.js';

const s = suite('atkep');
afterAll(() => s.cleanup());

describe('a data dir not made yet inside a granted folder', () => {
  it('cannot be made or planted by the agent ($PADDOCK_HOME and the default); the rest of the grant stays writable', async () => {
    const outer = join(s.dir, 'outer');
    const named = join(outer, 'x', 'named');
    const config = join(outer, 'config');
    const def = join(config, 'Paddock');
    mkdirSync(outer, { recursive: true });
    const { dataDir, file, name } = s.setup((n) => ({ name: n, folders: [{ path: outer, access: 'rw' }] }));
    const plant = (d: string, tag: string): string =>
      `mkdir -p ${d}/run && chmod 700 ${d}/run && socat UNIX-LISTEN:${d}/run/paddock.sock,mode=600 /dev/null & sleep 0.5; test -S ${d}/run/paddock.sock; echo ${tag}=$?`;
    const cmd = [plant(named, 'named'), plant(def, 'def'), `echo ok > ${outer}/mine.txt; echo rest=$?`].join('; ');
    const env = { ...process.env, XDG_CONFIG_HOME: config, PADDOCK_HOME: named };
    const r = await runResuming(dataDir, file, name, { env, args: ['--', 'bash', '-c', cmd], ms: 40_000 });
    expect(r.stdout).toContain('named=1');
    expect(r.stdout).toContain('def=1');
    expect(existsSync(join(named, 'run'))).toBe(false);
    expect(existsSync(join(def, 'run'))).toBe(false);
    // Positive control: the rest of the grant.
    expect(r.stdout).toContain('rest=0');
    expect(existsSync(join(outer, 'mine.txt'))).toBe(true);
  }, 90_000);
});
