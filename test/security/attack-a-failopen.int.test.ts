/**
 * Attack class (black-box pass A): making Paddock fail open. The agent kills every process it can
 * see inside its sandbox (pid 1; with the socat bridge fallback also the bridge and its loop) and
 * tries to take over the proxy's port (issue 17: the proxy itself listens there, so it cannot); the host is frozen (SIGSTOP) and then SIGKILLed under a daemonised agent process that
 * ignores SIGHUP/SIGTERM; Paddock runs as an unprivileged user (`nobody`) with its own data dir.
 * Asserted: no connection reaches the host except through the proxy, nothing of the agent outlives
 * the host, an unprivileged Paddock still confines the agent (data dir, other users' files absent,
 * limits applied or reported as not enforced). Positive controls: the proxied request works before
 * the kill; the daemon runs while the host lives; the unprivileged agent writes its workspace.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, paddockAsync, waitFor } from '../helpers/cli.js';
import { countingServer, curl, events, runResuming, suite } from './helpers.js';

const s = suite('afo');
afterAll(() => s.cleanup());

const pgrep = (marker: string): string => spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim();

describe('fail-open attempts', () => {
  it('killing every process inside (pid 1 and all) and trying to take the proxy port gives no route out but the proxy; the proxied request worked before', async () => {
    const server = await countingServer('host-service');
    try {
      const { dataDir, file, name } = s.setup((a) => ({
        name: a,
        network: 'on',
        rules: `allow net host.paddock.internal:${server.port}\n`,
        command: [
          'bash',
          '-c',
          [
            `${curl(`http://host.paddock.internal:${server.port}/`)}`,
            'for p in /proc/[0-9]*; do n=${p#/proc/}; [ "$n" = $$ ] || kill -9 $n 2>/dev/null; done',
            'sleep 0.5; echo "left=$(ls /proc | grep -c "^[0-9]")"',
            `${curl(`http://host.paddock.internal:${server.port}/`)} 2>/dev/null | sed s/^/AFTER-PROXY:/`,
            `curl -sS --max-time 3 --noproxy '*' http://127.0.0.1:${server.port}/ 2>/dev/null | sed s/^/AFTER-DIRECT:/`,
            `python3 - <<'PY'\nimport socket\ns = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ntry:\n    s.bind(("127.0.0.1", 3128)); s.listen(); print("TOOK-PROXY-PORT")\nexcept OSError as e:\n    print("proxy port held", e.errno)\nfor h in ("127.0.0.1", "::1"):\n    try:\n        c = socket.create_connection((h, ${server.port}), timeout=3); print("DIRECT-CONNECTED", h)\n    except OSError as e:\n        print("direct refused", h, e.errno)\nPY`,
            'echo end',
          ].join('\n'),
        ],
      }));
      const r = await runResuming(dataDir, file, name);
      expect(r.stdout).toContain(`hello from host-service`); // positive control, before the kill
      expect(r.stdout).toContain('proxy port held 98'); // EADDRINUSE: the proxy's own listener holds it
      expect(r.stdout).toContain('end');
      // The proxy's listener is not a process inside: killing everything leaves the proxy as the one route.
      expect(r.stdout).toContain('AFTER-PROXY:hello from host-service');
      expect(r.stdout).not.toMatch(/TOOK-PROXY-PORT|AFTER-DIRECT|DIRECT-CONNECTED/);
      expect(server.hits()).toBe(2);
      expect(events(dataDir, name, 'run.exit')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('a daemonised agent process that ignores HUP/TERM dies with a frozen-then-SIGKILLed host', async () => {
    const marker = `paddock-atk-daemon-${process.pid}-${Date.now()}`;
    const { dataDir, file } = s.setup((a) => ({
      name: a,
      command: ['bash', '-c', `setsid bash -c 'trap "" HUP TERM; while :; do sleep 0.2; done' ${marker} </dev/null >/dev/null 2>&1 & ( ( nohup sleep 600 & ) & ); echo started; sleep 600`],
    }));
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    try {
      await waitFor(() => run.out().includes('started') && pgrep(marker), 20_000); // positive control: the daemon runs
      run.child.kill('SIGSTOP');
      expect(pgrep(marker)).not.toBe('');
      run.child.kill('SIGKILL');
      await run.exit;
      await waitFor(() => pgrep(marker) === '', 5_000);
      expect(pgrep(marker)).toBe('');
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  // Needs root to switch to an unprivileged user; skipped elsewhere.
  it.skipIf(process.getuid?.() !== 0 || spawnSync('id', ['-u', 'nobody']).status !== 0)(
    'run as nobody: the agent runs confined (no data dir, no other users\' files), limits are applied or reported as not enforced',
    async () => {
      chmodSync(s.dir, 0o755);
      const root = join(s.dir, 'nobody');
      mkdirSync(root);
      const rootOnly = join(s.dir, 'root-only');
      mkdirSync(rootOnly, { mode: 0o700 });
      writeFileSync(join(rootOnly, 'secret.txt'), 'ROOT-SECRET\n');
      const nobody = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim());
      chownSync(root, nobody, nobody);
      const { dataDir, file, name } = s.setup(
        (a) => ({
          name: a,
          limits: { processes: 48, memory: '256MiB', cpu: 0.5 },
          command: [
            'bash',
            '-c',
            [
              `test -e ${root}/data/paddock.db && echo DB-VISIBLE`,
              `ls ${root}/data/run 2>/dev/null && echo RUN-DIR-VISIBLE`,
              `cat ${rootOnly}/secret.txt 2>/dev/null; ls /root 2>/dev/null && echo ROOT-HOME-VISIBLE`,
              'echo "nproc=$(ulimit -u) uid=$(id -u)"',
              'echo work > result.txt && cat result.txt',
            ].join('\n'),
          ],
        }),
        join(root, 'data'),
      );
      chownSync(file, nobody, nobody);
      const r = spawnSync('runuser', ['-u', 'nobody', '--', 'env', `HOME=${root}`, 'PATH=/usr/bin:/bin', process.execPath, BIN, '--data-dir', dataDir, 'run', file], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(0);
      expect(r.stdout).not.toMatch(/DB-VISIBLE|RUN-DIR-VISIBLE|ROOT-SECRET|ROOT-HOME-VISIBLE/);
      expect(r.stdout).toContain('work'); // positive control
      const start = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, BIN, '--data-dir', dataDir, 'events', '--agent', name, '--kind', 'run.start', '--json'], { encoding: 'utf8' });
      const enforcement = (JSON.parse(start.stdout.trim().split('\n')[0]!) as { enforcement: Record<string, string> }).enforcement;
      // Each requested limit is either enforced by a named mechanism or said not to be.
      for (const k of ['memory', 'processes', 'cpu']) expect(enforcement[k]).toMatch(/cgroup|rlimit|not enforced/);
      if (/rlimit/.test(enforcement.processes!)) expect(r.stdout).toContain('nproc=48');
    },
  );

  it('seccomp: new namespaces (unshare, clone3), mounts (mount, open_tree, fsopen), io_uring, userfaultfd, bpf, keyctl, perf, setns and file handles are refused; ordinary syscalls work', async () => {
    const py = [
      'import ctypes, struct, os',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'def sc(name, nr, *a):',
      '    r = libc.syscall(nr, *a)',
      '    if r == 0 and name.startswith("clone3"): os._exit(0)',
      '    print("%s %s" % (name, "REFUSED" if r < 0 else "ALLOWED"))',
      '    if r > 0 and name.startswith("clone3"): os.waitpid(r, 0)',
      'buf = lambda n: ctypes.create_string_buffer(n)',
      'sc("clone3-newuser", 435, ctypes.create_string_buffer(struct.pack("QQQQQQQQ", 0x10000000, 0, 0, 0, 17, 0, 0, 0)), 64)',
      'sc("unshare-newuser", 272, 0x10000000)',
      'sc("unshare-newns", 272, 0x00020000)',
      'sc("mount", 165, b"none", b"/tmp", b"tmpfs", 0, 0)',
      'sc("open_tree", 428, -100, b"/", 1)',
      'sc("fsopen", 430, b"tmpfs", 0)',
      'sc("io_uring_setup", 425, 8, buf(120))',
      'sc("userfaultfd", 323, 0)',
      'sc("bpf", 321, 0, 0, 0)',
      'sc("keyctl", 250, 0, 0, 0)',
      'sc("perf_event_open", 298, buf(128), 0, -1, -1, 0)',
      'sc("setns", 308, 0, 0)',
      'sc("name_to_handle_at", 303, -100, b"/", buf(136), buf(4), 0)',
      'print("getpid-ok" if libc.syscall(39) > 0 else "getpid-failed")',
    ].join('\n');
    const { dataDir, file, name } = s.setup((a) => ({ name: a, command: ['python3', '-c', py] }));
    const r = await runResuming(dataDir, file, name);
    expect(r.stdout).toContain('getpid-ok'); // positive control
    expect(r.stdout.match(/REFUSED/g) ?? []).toHaveLength(13);
    expect(r.stdout).not.toContain('ALLOWED');
  });
});
