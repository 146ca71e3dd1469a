import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { nativeBinary } from '../../../../src/core/native.js';
import { readCmdline } from '../../../../src/core/sandbox/runtime/proc.js';
import { tempDir, waitFor } from '../../../helpers/cli.js';
import { tempEngines } from '../../../helpers/engine.js';

const COMMAND = ['/bin/sh', '-c', 'echo started; exec cat'];

// Threat: bwrap's command line is world-readable; its options (binds of granted folders and the
// data dir, --setenv values) go through its --args fd. Both launcher paths: a cold start (a fresh
// launcher on the start path) and a start taken by the pre-started spare.
describe.skipIf(!nativeBinary('paddock-launch'))('bwrap reads its options from a setup fd', () => {
  const engines = tempEngines();

  it('its command line is `bwrap --args FD -- COMMAND` on a cold start and a pre-started one; the folder is still bound', async () => {
    const engine = await engines.open();
    const dataDir = engines.dir();
    const other = tempDir('paddock-argsfd-');
    onTestFinished(other.cleanup);
    const granted = join(other.dir, 'granted-folder');
    mkdirSync(granted);
    engine.importProfile(`name: argsfd\ncommand: ${JSON.stringify(COMMAND)}\nfolders: [{ path: ${JSON.stringify(granted)}, access: rw }]\n`, null);
    const seen: string[][] = [];
    for (const start of ['cold', 'pre-started']) {
      if (start === 'pre-started') expect(await engine.launcherReady('pipe')).toBe(true);
      const run = await engine.start('argsfd', { stdio: 'pipe', command: [...COMMAND.slice(0, 2), `test -d '${granted}' && echo bound; echo started; exec cat`] });
      let out = '';
      run.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      await waitFor(() => out.includes('started'));
      const argv = readCmdline(run.proc.hostPid) ?? [];
      seen.push(argv);
      expect(argv.slice(0, 3)).toEqual([expect.stringMatching(/bwrap$/), '--args', expect.stringMatching(/^\d+$/)]);
      expect(argv[3]).toBe('--');
      expect(argv.join(' ')).not.toContain(dataDir); // no bind of the agent's home or workspace
      expect(run.proc.enforcement.dieWithParent).toBeTruthy(); // read back from the args fd
      expect(run.proc.enforcement.cgroup).toMatch(start === 'cold' ? /argsfd-r-/ : /launch-[0-9a-f]{8}/);
      run.stdin!.end();
      expect((await run.done).exitCode).toBe(0);
      expect(out).toBe('bound\nstarted\n'); // positive control: the grant still works
    }
    expect(seen).toHaveLength(2);
  });
});
