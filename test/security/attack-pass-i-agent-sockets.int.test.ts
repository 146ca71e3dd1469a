/**
 * Attack pass I (black box), **open**: the other direction of `attack-pass-i-host-sockets`. An
 * agent can make a listening Unix socket in a folder it may write (a `rw` grant, its workspace),
 * and a host program that connects there during the run talks to the agent instead of the service
 * it expects: a `ControlPath` socket in a granted `~/.ssh` (ssh's multiplexing client hands the
 * master its terminal's file descriptors), a project's `.overmind.sock`, a gpg-agent socket. The
 * sandbox cannot tell a socket file from any other file it creates (seccomp cannot read the path
 * of `bind`); Landlock's `LANDLOCK_ACCESS_FS_MAKE_SOCK` beneath the writable grants would, from
 * inside the sandbox, which needs a helper exec'd by bwrap: too large for this pass.
 */
import { connect } from 'node:net';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddockAsync, waitFor } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('atkiasock');
afterAll(() => s.cleanup());

describe("an agent's listening socket in a writable grant", () => {
  it.fails('is not reachable by host programs during the run (open: see the header)', async () => {
    const rw = join(s.dir, 'proj');
    mkdirSync(rw, { recursive: true });
    const sock = join(rw, '.overmind.sock');
    const py = [
      'import socket',
      `l=socket.socket(socket.AF_UNIX); l.bind(${JSON.stringify(sock)}); l.listen(1)`,
      'c,_=l.accept(); c.sendall(b"AGENT-ANSWERS\\n"); c.close()',
    ].join('\n');
    const { dataDir, file } = s.setup((n) => ({ name: n, folders: [{ path: rw, access: 'rw' }], command: ['python3', '-c', py] }));
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitFor(() => existsSync(sock), 30_000);
      const reply = await new Promise<string>((resolve) => {
        const c = connect(sock);
        let d = '';
        c.on('data', (b) => (d += String(b)));
        c.on('end', () => resolve(d));
        c.on('error', () => resolve(''));
      });
      // Threat: the user's own tool connecting to what it takes for its service, and handing it data or fds.
      expect(reply).toBe('');
    } finally {
      run.child.kill('SIGKILL');
      await run.exit;
    }
  }, 90_000);
});
