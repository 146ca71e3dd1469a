/**
 * Attack class: Unix sockets of the host. The D-Bus session bus, an SSH agent, the Docker socket,
 * X11 and abstract sockets must be unreachable from inside; the host itself still reaches the same
 * sockets (positive control).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/cli.js';
import { runResuming, suite } from './helpers.js';
import { existsSync } from 'node:fs';

const s = suite('unix');
const rand = `${process.pid}-${Date.now()}`;
const abstractName = `paddock-test-${rand}`;
const sshSock = join(s.dir, 'ssh-agent.sock');
const busSock = join(s.dir, 'bus.sock');
const procs: ChildProcess[] = [];
let abstract: Server;
let abstractHits = 0;

const hostConnects = (path: string): Promise<boolean> =>
  new Promise((r) => {
    const c = createConnection({ path }, () => (c.end(), r(true)));
    c.on('error', () => r(false));
  });

beforeAll(async () => {
  abstract = createServer((c) => (abstractHits++, c.end('hello from abstract\n')));
  await new Promise<void>((r) => abstract.listen({ path: `\0${abstractName}` }, () => r())); // Linux abstract namespace
  procs.push(spawn('ssh-agent', ['-D', '-a', sshSock], { stdio: 'ignore' }));
  procs.push(spawn('dbus-daemon', ['--session', '--nofork', `--address=unix:path=${busSock}`], { stdio: 'ignore' }));
  await waitFor(() => existsSync(sshSock) && existsSync(busSock), 10_000);
});
afterAll(() => {
  for (const p of procs) p.kill('SIGTERM'); // by pid (our own children)
  abstract.close();
  s.cleanup();
});

/** Unix socket paths (or `@abstract` names) of the test's own D-Bus session, when it has one. */
function sessionBus(): string[] {
  const a = process.env.DBUS_SESSION_BUS_ADDRESS ?? '';
  return [...a.matchAll(/unix:(path|abstract)=([^,;]+)/g)].map((m) => (m[1] === 'abstract' ? `@${m[2]}` : m[2]!));
}

describe('host Unix sockets are out of reach', () => {
  it('D-Bus, SSH agent, Docker, X11 and abstract sockets cannot be reached from inside; the host reaches them', async () => {
    const targets = [sshSock, busSock, `@${abstractName}`, '@/tmp/.X11-unix/X0', ...sessionBus()];
    const py = [
      'import socket, sys',
      'for t in sys.argv[1:]:',
      '    a = "\\0" + t[1:] if t.startswith("@") else t',
      '    try:',
      '        c = socket.socket(socket.AF_UNIX); c.settimeout(3); c.connect(a); print("CONNECTED", t)',
      '    except OSError as e: print("refused", t, e.errno)',
      'print("py-done")',
    ].join('\n');
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      network: 'on',
      command: [
        'bash',
        '-c',
        [
          `SSH_AUTH_SOCK=${sshSock} ssh-add -l; echo ssh-add=$?`,
          `DBUS_SESSION_BUS_ADDRESS=unix:path=${busSock} dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames >/dev/null 2>&1 && echo DBUS-CONNECTED`,
          'for p in /var/run/docker.sock /run/docker.sock /tmp/.X11-unix /run/user "$XDG_RUNTIME_DIR" /run/dbus/system_bus_socket; do [ -n "$p" ] && [ -e "$p" ] && echo "VISIBLE $p"; done',
          `python3 - ${targets.map((t) => `'${t}'`).join(' ')} <<'PY'\n${py}\nPY`,
          'echo "ssh=$SSH_AUTH_SOCK dbus=$DBUS_SESSION_BUS_ADDRESS display=$DISPLAY wayland=$WAYLAND_DISPLAY"',
        ].join('\n'),
      ],
    }));
    const r = await runResuming(dataDir, file, name);
    expect(r.stdout).toContain('py-done');
    expect(r.stdout).not.toMatch(/CONNECTED|VISIBLE/);
    expect(r.stdout).toMatch(/^ssh-add=2$/m); // 2 = cannot connect to the agent
    expect(r.stdout).toContain('ssh= dbus= display= wayland=');
    expect(abstractHits).toBe(0);
    // positive controls: the same sockets work from the host
    expect(await hostConnects(`\0${abstractName}`)).toBe(true);
    expect(abstractHits).toBe(1);
    expect(spawnSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: sshSock } }).status).toBe(1); // 1 = reachable, no identities
    expect(await hostConnects(busSock)).toBe(true);
  });
});
