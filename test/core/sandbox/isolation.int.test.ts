import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeWorld, sh, type World } from './helpers.js';

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.dispose();
});

describe('isolation (real bubblewrap)', () => {
  it("cannot read a planted SSH key in the user's home, and /root is absent", async () => {
    await mkdir(path.join(w.userHome, '.ssh'), { recursive: true });
    await writeFile(path.join(w.userHome, '.ssh', 'id_rsa'), 'PRIVATE KEY');
    const r = await sh(w, `cat ${w.userHome}/.ssh/id_rsa; echo rc=$?; ls -A /root 2>&1; echo ls=$?; ls -A /home 2>&1 | wc -l`);
    expect(r.stdout).not.toContain('PRIVATE KEY');
    expect(r.stdout).toContain('rc=1');
    expect(r.stdout).toMatch(/ls=2/);
  });

  it('shows nothing of the data dir but the agent\'s own folders', async () => {
    await mkdir(path.join(w.dataDir, 'run'), { recursive: true });
    await writeFile(path.join(w.dataDir, 'paddock.db'), 'db');
    await mkdir(path.join(w.dataDir, 'agents', 'other', 'home'), { recursive: true });
    await writeFile(path.join(w.dataDir, 'agents', 'tester', 'secret-of-engine'), 'x').catch(() => {});
    const r = await sh(w, `ls -A ${w.dataDir}; echo ---; ls -A ${w.dataDir}/agents; echo ---; ls -A ${w.dataDir}/agents/tester`);
    const [top, agents, own] = r.stdout.split('---\n').map((s) => s.trim().split('\n').filter(Boolean));
    expect(top).toEqual(['agents']);
    expect(agents).toEqual(['tester']);
    expect(own?.sort()).toEqual(['home', 'workspace']);
  });

  it('writes to /etc, the host /tmp, / and outside the workspace leave nothing on the host', async () => {
    const marker = `paddock-escape-${process.pid}`;
    const r = await sh(
      w,
      `touch /etc/${marker}; touch /tmp/${marker}; touch /${marker}; touch ${w.root}/${marker}; touch ${w.userHome}/${marker}; echo done`,
    );
    expect(r.stdout).toContain('done');
    for (const p of [`/etc/${marker}`, `/tmp/${marker}`, `/${marker}`, `${w.root}/${marker}`, `${w.userHome}/${marker}`]) {
      expect(existsSync(p), p).toBe(false);
    }
  });

  it('keeps the workspace and home between runs; cwd and HOME are at host paths', async () => {
    const spec = w.spec();
    const r1 = await sh(w, 'pwd; echo "$HOME"; echo one > note.txt; echo two > "$HOME/.profile-data"');
    expect(r1.stdout.split('\n').slice(0, 2)).toEqual([spec.workspace, spec.home]);
    expect(await readFile(path.join(spec.workspace, 'note.txt'), 'utf8')).toBe('one\n');
    const r2 = await sh(w, 'cat note.txt "$HOME/.profile-data"');
    expect(r2.stdout).toBe('one\ntwo\n');
  });

  it('has exactly the contract environment, also in /proc/1/environ', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'hunter2-host-secret';
    try {
      const r = await sh(w, 'env -0 | tr "\\0" "\\n" | cut -d= -f1 | sort; echo ---; tr "\\0" "\\n" < /proc/1/environ; tr "\\0" "\\n" < /proc/self/environ', {
        extraEnv: { HTTP_PROXY: 'http://127.0.0.1:9', HOME: '/evil' },
      });
      expect(r.stdout).not.toContain('hunter2');
      const names = (r.stdout.split('---')[0] ?? '').trim().split('\n');
      // bash itself adds PWD, SHLVL and _.
      expect(names.filter((n) => !['PWD', 'SHLVL', '_'].includes(n))).toEqual(
        ['HOME', 'HTTP_PROXY', 'LANG', 'PADDOCK_AGENT', 'PATH', 'TERM', 'TZ', 'USER'],
      );
      expect(r.stdout).not.toContain('/evil');
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('sees only its own processes and cannot signal host processes', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const r = await sh(w, `ls /proc | grep -E '^[0-9]+$' | wc -l; kill -9 ${sleeper.pid}; echo kill=$?`);
      const count = Number(r.stdout.split('\n')[0]);
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThan(8);
      expect(r.stdout).toContain('kill=1');
      expect(sleeper.exitCode).toBeNull();
      expect(() => process.kill(sleeper.pid as number, 0)).not.toThrow();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('has no capabilities and is not root inside, even when Paddock runs as root', async () => {
    const r = await sh(w, 'grep -E "^Cap(Eff|Prm|Amb):" /proc/self/status; id -u; id -un');
    expect(r.stdout).toMatch(/CapEff:\s+0000000000000000/);
    expect(r.stdout).toMatch(/CapPrm:\s+0000000000000000/);
    expect(r.stdout).not.toMatch(/^0$/m);
    expect(r.stdout).toContain('tester');
  });

  it('hides owner-only files of /etc such as /etc/shadow', async () => {
    const r = await sh(w, 'cat /etc/shadow; echo rc=$?; cat /etc/passwd');
    expect(r.stdout.startsWith('rc=1\n')).toBe(true);
    expect(r.stdout).toContain('tester:x:');
    expect(r.stdout).not.toContain('daemon:');
  });

  it('a symlink planted in the workspace cannot reach a host file outside the grants', async () => {
    const secret = path.join(w.userHome, 'bank.txt');
    await writeFile(secret, 'ACCOUNT 1234');
    const ws = w.spec().workspace;
    await mkdir(ws, { recursive: true });
    await symlink(secret, path.join(ws, 'link'));
    await symlink('/root', path.join(ws, 'rootlink'));
    const r = await sh(w, 'cat link; echo rc=$?; ls -A rootlink/ 2>&1; echo rc2=$?');
    expect(r.stdout).not.toContain('ACCOUNT');
    expect(r.stdout).toContain('rc=1');
    expect(r.stdout).toContain('rc2=2');
  });

  it('has no network but loopback, and refuses nested namespaces and TIOCSTI', async () => {
    const r = await sh(
      w,
      'ls /sys/class/net 2>/dev/null; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "; unshare -Ur true; echo unshare=$?;' +
        ' python3 -c "import fcntl,termios; fcntl.ioctl(1, termios.TIOCSTI, b\'x\')" 2>&1 | tail -1',
    );
    expect(r.stdout.split('\n').filter(Boolean)[0]).toBe('lo');
    expect(r.stdout).toContain('unshare=1');
    expect(r.stdout).toContain('Operation not permitted');
  });
});

describe('kernel interfaces and setuid files (real bubblewrap)', () => {
  it('cannot write a kernel tunable or read kernel internals through /proc', async () => {
    // Writing the current value back: harmless even if the protection were missing.
    const r = await sh(w, 'v=$(cat /proc/sys/kernel/core_pattern); echo "$v" > /proc/sys/kernel/core_pattern 2>/dev/null; echo sys=$?; for f in kallsyms keys kcore; do echo $f=$(cat /proc/$f 2>/dev/null | wc -c); done; for f in sysrq-trigger irq bus; do [ -e /proc/$f ] && { : > /proc/$f 2>/dev/null; echo $f=$?; }; done; echo done');
    expect(r.stdout).toContain('sys=1');
    expect(r.stdout).toContain('kallsyms=0\nkeys=0\nkcore=0\n'); // hidden (or absent on this kernel)
    expect(r.stdout).not.toMatch(/(sysrq-trigger|irq|bus)=0/);
    expect(r.stdout).toContain('done');
  });

  it('cannot make a setuid or setgid file in a writable folder', async () => {
    const r = await sh(w, 'cp /bin/true ./t; chmod 4755 ./t; echo chmod=$?; chmod g+s ./t; echo sgid=$?; install -m 4755 /bin/true ./u 2>/dev/null; echo install=$?; ls -l ./t');
    expect(r.stdout).toContain('chmod=1');
    expect(r.stdout).toContain('sgid=1');
    expect(r.stdout).toContain('install=1');
    const { statSync } = await import('node:fs');
    const ws = w.spec().workspace;
    expect(statSync(path.join(ws, 't')).mode & 0o6000).toBe(0);
    expect(existsSync(path.join(ws, 'u')) ? statSync(path.join(ws, 'u')).mode & 0o6000 : 0).toBe(0);
  });
});
