/**
 * Attack pass C (black box), the in-namespace listener's start: with `--dev`, bwrap makes the
 * sandbox's namespaces in one user namespace, mounts, then moves the sandbox into a nested user
 * namespace. The listener helper joined whichever user namespace `/proc/PID/ns/user` showed when it
 * looked: when it looked late (the nested one), it had no capability over the network namespace and
 * the start was refused (exit 125, "join the sandbox's network namespace: Operation not
 * permitted") — about 1 guest start in 8 through a `paddock serve` host on this machine. Fail
 * closed, but the agent did not run. Now the helper joins the user namespace that owns the network
 * namespace (NS_GET_USERNS). The race is made likely (not forced) by four busy processes of the
 * test's own while the agents start (without the fix: 8 of 30 starts refused here); with the fix,
 * none is. Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddockAsync, paddockP, waitFor } from '../helpers/cli.js';
import { countingServer, curl, suite, type CountingServer } from './helpers.js';

const s = suite('nsjoin');
const native = existsSync(join(__dirname, '../../native/bin/paddock-launch')) && process.env.PADDOCK_NATIVE !== 'off';
let server: CountingServer;
let host: ReturnType<typeof paddockAsync>;
let setup: ReturnType<typeof s.setup>;

beforeAll(async () => {
  server = await countingServer('svc');
  setup = s.setup((n) => ({ name: n, network: 'on', rules: `allow net 127.0.0.1:${server.port}\n` }));
  host = paddockAsync(['--data-dir', setup.dataDir, 'serve', '--port', '0']);
  await waitFor(() => /token=/.test(host.out()), 20_000);
}, 30_000);
afterAll(async () => {
  host.child.kill('SIGTERM');
  await host.exit;
  await server.close();
  s.cleanup();
});

describe.skipIf(!native)('the listener helper joins the right user namespace', () => {
  it('30 guest starts with the network on, on a busy machine, all start and reach the allowed server through their proxy', async () => {
    const failures: string[] = [];
    const busy: ChildProcess[] = [];
    try {
      for (let b = 0; b < 4; b++) busy.push(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
      for (let i = 0; i < 30; i++) {
        const r = await paddockP(['--data-dir', setup.dataDir, 'run', setup.file, '--', 'sh', '-c', i % 5 === 0 ? curl(`http://127.0.0.1:${server.port}/`) : 'true']);
        if (r.code !== 0) failures.push(`start ${i}: exit ${r.code}: ${r.stderr.trim()}`);
      }
    } finally {
      for (const b of busy) b.kill('SIGKILL');
    }
    expect(failures).toEqual([]);
    expect(server.hits()).toBe(6); // positive control: the proxy path works
  }, 240_000);
});
