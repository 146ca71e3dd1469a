import { describe, expect, it } from 'vitest';
import { buildBwrapArgs, bwrapArgsData, bwrapOptions, depth, isWithin, parseBwrapArgsData, type MountLayout } from '../../../src/core/sandbox/layout.js';

const base: MountLayout = {
  tty: false,
  uid: 1000,
  gid: 1000,
  hostname: 'a',
  env: { PATH: '/usr/bin', HOME: '/h' },
  cwd: '/w',
  ops: [
    { op: 'ro-bind', src: '/usr', dest: '/usr' },
    { op: 'tmpfs', dest: '/tmp', mode: 0o1777 },
    { op: 'ro-bind-data', fd: 3, dest: '/etc/passwd', mode: 0o644 },
  ],
  command: ['bash', '-c', 'echo --ro-bind / /'],
};

describe('buildBwrapArgs', () => {
  it('creates every namespace, drops capabilities, clears the environment and sets only the given variables', () => {
    const a = buildBwrapArgs(base);
    for (const f of ['--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent', '--new-session', '--clearenv']) {
      expect(a).toContain(f);
    }
    expect(a.join(' ')).toContain('--cap-drop ALL');
    expect(a.join(' ')).toContain('--setenv HOME /h --setenv PATH /usr/bin');
    expect(a.filter((x) => x === '--setenv')).toHaveLength(2);
    expect(a.indexOf('--clearenv')).toBeLessThan(a.indexOf('--setenv'));
  });

  it('keeps mount order, renders modes in octal and puts the command after --', () => {
    const a = buildBwrapArgs(base);
    const s = a.join(' ');
    expect(s).toContain('--ro-bind /usr /usr --perms 1777 --tmpfs /tmp --perms 0644 --ro-bind-data 3 /etc/passwd');
    expect(a.slice(a.indexOf('--'))).toEqual(['--', 'bash', '-c', 'echo --ro-bind / /']);
    expect(s.endsWith('--chdir /w -- bash -c echo --ro-bind / /')).toBe(true);
  });

  it('omits --new-session only for interactive shells, and passes the seccomp fd', () => {
    const a = buildBwrapArgs({ ...base, tty: true, seccompFd: 7 });
    expect(a).not.toContain('--new-session');
    expect(a.join(' ')).toContain('--seccomp 7');
  });

  it('refuses an empty command', () => {
    expect(() => buildBwrapArgs({ ...base, command: [] })).toThrow();
  });
});

describe('bwrap options through --args', () => {
  it('are the arguments before -- (the command stays out), each NUL-terminated, and read back the same', () => {
    const opts = bwrapOptions({ ...base, env: { ...base.env, EMPTY: '' } });
    expect(buildBwrapArgs(base)).toEqual([...bwrapOptions(base), '--', ...base.command]);
    expect(opts).not.toContain('--');
    const data = bwrapArgsData(opts);
    expect(data.toString().endsWith('\0')).toBe(true);
    expect(parseBwrapArgsData(data)).toEqual(opts);
    expect(opts.join(' ')).toContain('--setenv EMPTY  --setenv');
  });

  it('refuses an argument holding a NUL (it would be read as two)', () => {
    expect(() => bwrapArgsData(['--setenv', 'A', 'x\0--bind'])).toThrow(/NUL/);
  });
});

describe('path helpers', () => {
  it('isWithin respects component boundaries', () => {
    expect(isWithin('/a/b', '/a')).toBe(true);
    expect(isWithin('/a', '/a')).toBe(true);
    expect(isWithin('/ab', '/a')).toBe(false);
    expect(isWithin('/x', '/')).toBe(true);
    expect(depth('/')).toBe(0);
    expect(depth('/a/b')).toBe(2);
  });
});
