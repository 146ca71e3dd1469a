/**
 * Attack pass H (black box), another host's console under another `$HOME`: every console records
 * its port in `consoles/` of the default data dir, which was found through `$HOME`. A console started
 * with another `$HOME` (a wrapper script, `sudo -E`, a desktop sandbox) recorded it where the other
 * hosts never looked, and their agents reached it with a rule naming its port (its token still
 * guards the API). Consoles now register under the account's own home too, and hosts read both.
 * Positive control: an ordinary loopback server under the same rule is reached.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startConsole } from '../e2e/console-helpers.js';
import { countingServer, runResuming, suite } from './helpers.js';

const s = suite('atkh-ch');
afterAll(() => s.cleanup());

describe('a console started with another $HOME', { timeout: 90_000 }, () => {
  it('is control plane for another host’s agents; an ordinary loopback server is not', async () => {
    const fakeHome = join(s.dir, 'other-home');
    mkdirSync(fakeHome);
    const other = await startConsole(join(s.dir, 'other-data'), 0, { ...process.env, HOME: fakeHome });
    const srv = await countingServer('plain');
    try {
      const curl = (p: number): string => `o=$(env -u NO_PROXY -u no_proxy curl -sS --max-time 5 -w ' code=%{http_code}' http://127.0.0.1:${p}/api/agents 2>&1); echo "port ${p}: $o"`;
      const cfg = s.setup((a) => ({
        name: a,
        network: 'on',
        rules: `allow net 127.0.0.1:${other.port}\nallow net 127.0.0.1:${srv.port}\n`,
        command: ['bash', '-c', [curl(other.port), curl(srv.port)].join('\n')],
      }));
      const r = await runResuming(cfg.dataDir, cfg.file, cfg.name, { ms: 40_000 });
      expect(r.stdout).toMatch(new RegExp(`port ${other.port}: [^\\n]*never reachable[\\s\\S]*?code=403`));
      expect(r.stdout).not.toMatch(/missing or wrong token/);
      expect(r.stdout).toMatch(new RegExp(`port ${srv.port}: hello from plain`)); // positive control
      expect(srv.hits()).toBe(1);
    } finally {
      await other.stop();
      await srv.close();
    }
  });
});
