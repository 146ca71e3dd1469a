/**
 * The proxy's listener inside the agent's own network namespace (issue 17, native/nslisten.c):
 * black box through `paddock run`. Asserted: nothing of Paddock's runs inside the sandbox and no
 * process is forked per connection; the agent can neither take the port over nor reach anything
 * but the proxy, even after killing every process it sees; each agent's connections are its own
 * (decided by its rules, logged under its name), never another agent's; switching the network off
 * cuts an open tunnel at once; a listener that cannot be made stops the start (exit 125) before the
 * agent's first instruction. Positive controls: the proxied requests work, from the first
 * instruction on. Loopback only.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, paddock, paddockAsync, waitFor } from '../helpers/cli.js';
import { agentDirs, countingServer, curl, events, runResuming, suite } from './helpers.js';

const s = suite('nsl');
afterAll(() => s.cleanup());

// The in-namespace path needs the native launcher (the /bin/sh fallback keeps the socat bridge).
const native = existsSync(join(__dirname, '../../native/bin/paddock-launch')) && process.env.PADDOCK_NATIVE !== 'off';
// Every process inside but the agent's own shell and this listing pipeline (whose members may or may not be running yet).
const comms = 'for p in /proc/[0-9]*; do cat $p/comm 2>/dev/null; done | grep -v -x -e bash -e sh -e sort -e tr -e grep -e cat | sort | tr "\\n" " "';

describe.skipIf(!native)('the proxy listens inside the sandbox', () => {
  it('nothing of Paddock runs inside, no fork per connection, the port cannot be taken over, killing everything inside leaves only the proxy', async () => {
    const server = await countingServer('host-service');
    try {
      const { dataDir, file, name } = s.setup((a) => ({
        name: a,
        network: 'on',
        rules: `allow net 127.0.0.1:${server.port}\n`,
        command: [
          'bash',
          '-c',
          [
            // The agent's very first instruction uses the network: the listener exists before it runs.
            curl(`http://127.0.0.1:${server.port}/first`),
            `echo "before=$(${comms})"`,
            `for i in 1 2 3 4 5 6 7 8; do ${curl(`http://127.0.0.1:${server.port}/$i`)} >/dev/null & done; wait`,
            `echo "after=$(${comms})"`,
            'for p in /proc/[0-9]*; do n=${p#/proc/}; [ "$n" = $$ ] || kill -9 $n 2>/dev/null; done',
            `${curl(`http://127.0.0.1:${server.port}/again`)} | sed s/^/AFTER-KILL:/`,
            `curl -sS --max-time 3 --noproxy '*' http://127.0.0.1:${server.port}/ 2>/dev/null | sed s/^/DIRECT:/`,
            `python3 - <<'PY'\nimport socket\nfor opt in ("addr", "port"):\n    s = socket.socket()\n    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR if opt == "addr" else socket.SO_REUSEPORT, 1)\n    try:\n        s.bind(("127.0.0.1", 3128)); s.listen(); print("TOOK-PORT", opt)\n    except OSError as e:\n        print("take-over refused", opt, e.errno)\ntry:\n    socket.create_connection(("127.0.0.1", ${server.port}), timeout=3); print("DIRECT-CONNECTED")\nexcept OSError as e:\n    print("direct refused", e.errno)\nPY`,
            'echo end',
          ].join('\n'),
        ],
      }));
      const r = await runResuming(dataDir, file, name);
      expect(r.stdout, r.stderr).toContain('hello from host-service'); // positive control
      expect(r.stdout).toContain('end');
      const before = /^before=(.*)$/m.exec(r.stdout)?.[1] ?? '';
      const after = /^after=(.*)$/m.exec(r.stdout)?.[1] ?? '';
      // Only the agent's own processes (bwrap's init, bash, the listing itself): no bridge, before or
      // after eight connections (socat forked one process per connection).
      expect(before).toBe('bwrap ');
      expect(after).toBe(before);
      expect(r.stdout).toContain('AFTER-KILL:hello from host-service'); // nothing the agent can kill carries its network
      expect(r.stdout).toContain('take-over refused addr 98'); // EADDRINUSE
      expect(r.stdout).toContain('take-over refused port 98');
      expect(r.stdout).not.toMatch(/TOOK-PORT|DIRECT:|DIRECT-CONNECTED/);
      expect(server.hits()).toBe(10); // first, eight, again: all through the proxy
      expect(events(dataDir, name, 'net.allow').length).toBeGreaterThan(0);
      expect(r.code).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("two agents on one host: each one's connections are its own, decided by its own rules", async () => {
    const server = await countingServer('shared');
    const dataDir = join(s.dir, 'two-agents');
    try {
      const a = s.setup((n) => ({ name: n, network: 'on', rules: `allow net 127.0.0.1:${server.port}\n`, command: ['sh', '-c', `${curl(`http://127.0.0.1:${server.port}/a`)}; sleep 20`] }), dataDir);
      const b = s.setup((n) => ({ name: n, network: 'on', rules: `deny net 127.0.0.1:*\n`, command: ['sh', '-c', `${curl(`-o /dev/null -w 'B=%{http_code}' http://127.0.0.1:${server.port}/b`)}`] }), dataDir);
      const host = paddockAsync(['--data-dir', dataDir, 'run', a.file]);
      try {
        await waitFor(() => host.out().includes('hello from shared'), 20_000).catch((e: Error) => { throw new Error(`${e.message}: ${host.out()} ${host.err()}`); }); // A's proxy works (positive control)
        // B is a guest of A's host; its denied loopback probe auto-pauses it (private-probe): resumed.
        const guest = await runResuming(dataDir, b.file, b.name);
        expect(guest.stdout).toContain('B=403');
        expect(server.hits()).toBe(1);
        expect(events(dataDir, b.name, 'net.deny').some((e) => e.port === server.port)).toBe(true);
        expect(events(dataDir, a.name, 'net.deny')).toEqual([]);
        expect(events(dataDir, a.name, 'net.allow')).toHaveLength(1);
      } finally {
        host.child.kill('SIGKILL');
        await host.exit;
      }
    } finally {
      await server.close();
    }
  });

  it('switching the network off cuts an open tunnel through the in-sandbox listener at once', async () => {
    // A server that answers and then holds the connection open.
    const held = new Set<Socket>();
    const srv: Server = createServer((c) => {
      held.add(c);
      c.on('error', () => undefined);
      c.once('data', () => c.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstreaming\n'));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    try {
      const { dataDir, file, name } = s.setup((n) => ({
        name: n,
        network: 'on',
        rules: `allow net 127.0.0.1:${port}\n`,
        // -p: a CONNECT tunnel; --max-time 60: only the cut ends it within the test.
        command: ['sh', '-c', `env -u NO_PROXY -u no_proxy curl -sS -N -p --max-time 60 http://127.0.0.1:${port}/; echo "curl-ended=$?"`],
      }));
      const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
      try {
        await waitFor(() => run.out().includes('streaming'), 20_000); // positive control: the tunnel is open
        expect(run.out()).not.toContain('curl-ended');
        expect(paddock(['--data-dir', dataDir, 'net', name, 'off']).code).toBe(0);
        await waitFor(() => run.out().includes('curl-ended='), 10_000);
        expect(await run.exit).toBe(0);
      } finally {
        run.child.kill('SIGKILL');
      }
    } finally {
      for (const c of held) c.destroy();
      srv.close();
    }
  });

  it('a listener that cannot be made stops the start: exit 125, a paddock: message, and the agent never ran', async () => {
    const { dataDir, file, name } = s.setup((n) => ({ name: n, network: 'on', command: ['sh', '-c', 'echo ran > ran.txt; echo AGENT-RAN'] }));
    const bad = await runResuming(dataDir, file, name, { env: { ...process.env, PADDOCK_TEST_NSLISTEN: 'fail' } });
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/paddock: the agent's network listener could not be made inside its sandbox/);
    expect(bad.stdout).not.toContain('AGENT-RAN');
    const ws = agentDirs(dataDir, name).workspace;
    expect(existsSync(join(ws, 'ran.txt'))).toBe(false);
    // Positive control: the same profile starts normally.
    const good = await runResuming(dataDir, file, name);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('AGENT-RAN');
    expect(existsSync(join(ws, 'ran.txt'))).toBe(true);
  });

  // Needs root to switch to an unprivileged user; skipped elsewhere (where the suite already runs unprivileged).
  it.skipIf(process.getuid?.() !== 0 || spawnSync('id', ['-u', 'nobody']).status !== 0)(
    'as an unprivileged user (nobody) the helper enters the sandbox through its user namespace; the proxy works',
    async () => {
      const server = await countingServer('for-nobody');
      try {
        chmodSync(s.dir, 0o755);
        const root = join(s.dir, 'nobody');
        mkdirSync(root);
        const nobody = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim());
        chownSync(root, nobody, nobody);
        const { dataDir, file } = s.setup((n) => ({ name: n, network: 'on', rules: `allow net 127.0.0.1:${server.port}\n`, command: ['sh', '-c', `${curl(`http://127.0.0.1:${server.port}/`)}; echo "inside=$(${comms})"`] }), join(root, 'data'));
        chownSync(file, nobody, nobody);
        // Asynchronous: the counting server lives in this process and must answer meanwhile.
        const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
          const u = spawnAsync(['runuser', '-u', 'nobody', '--', 'env', `HOME=${root}`, 'PATH=/usr/bin:/bin', process.execPath, BIN, '--data-dir', dataDir, 'run', file]);
          void u.then(resolve);
        });
        expect(r.code, r.err).toBe(0);
        expect(r.out).toContain('hello from for-nobody');
        expect(r.out).toMatch(/^inside=bwrap $/m); // the in-namespace listener, not the socat bridge fallback
        expect(server.hits()).toBe(1);
      } finally {
        await server.close();
      }
    },
  );
});

function spawnAsync(argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => resolve({ code, out, err }));
  });
}
