/**
 * The sandbox's mount layout as data, and its translation into bubblewrap arguments.
 * Kept pure so that the exact argument list can be unit-tested.
 */

/** One filesystem operation, applied by bwrap in order. Paths are absolute. */
export type MountOp =
  | { op: 'ro-bind' | 'bind'; src: string; dest: string }
  /** Bind what child fd `fd` holds open (checked before, verified by bwrap after the mount). */
  | { op: 'bind-fd' | 'ro-bind-fd'; fd: number; dest: string }
  | { op: 'symlink'; target: string; dest: string }
  | { op: 'tmpfs'; dest: string; mode?: number }
  | { op: 'dir'; dest: string; mode?: number }
  | { op: 'remount-ro'; dest: string }
  | { op: 'proc'; dest: string }
  | { op: 'dev'; dest: string }
  /** Content read by bwrap from child fd `fd`, bind-mounted read-only at dest. */
  | { op: 'ro-bind-data'; fd: number; dest: string; mode: number };

/** Everything bwrap needs to know, in the order it must be applied. */
export interface MountLayout {
  /** Keep the controlling terminal (interactive shells only). */
  tty: boolean;
  uid: number;
  gid: number;
  hostname: string;
  env: Record<string, string>;
  cwd: string;
  ops: MountOp[];
  /** Child fd carrying a compiled seccomp program, if any. */
  seccompFd?: number;
  command: string[];
}

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

function opArgs(o: MountOp): string[] {
  switch (o.op) {
    case 'ro-bind':
    case 'bind':
      return [`--${o.op}`, o.src, o.dest];
    case 'bind-fd':
    case 'ro-bind-fd':
      return [`--${o.op}`, String(o.fd), o.dest];
    case 'symlink':
      return ['--symlink', o.target, o.dest];
    case 'tmpfs':
    case 'dir':
      return [...(o.mode === undefined ? [] : ['--perms', octal(o.mode)]), `--${o.op}`, o.dest];
    case 'remount-ro':
    case 'proc':
    case 'dev':
      return [`--${o.op}`, o.dest];
    case 'ro-bind-data':
      return ['--perms', octal(o.mode), '--ro-bind-data', String(o.fd), o.dest];
  }
}

/**
 * The ops that hide one path inside: an empty, unreadable, read-only tmpfs over a folder, the shared
 * empty mode-0000 file over anything else (it can be neither read, run nor copied).
 */
export function maskOps(dest: string, isDir: boolean, emptyFile: string): MountOp[] {
  return isDir ? [{ op: 'tmpfs', dest, mode: 0o000 }, { op: 'remount-ro', dest }] : [{ op: 'ro-bind', src: emptyFile, dest }];
}

/** bwrap arguments (without the bwrap binary itself) for a layout: `[...options, '--', ...command]`. */
export function buildBwrapArgs(layout: MountLayout): string[] {
  if (layout.command.length === 0) throw new Error('buildBwrapArgs: empty command');
  return [...bwrapOptions(layout), '--', ...layout.command];
}

/**
 * The options bwrap reads from its `--args` fd: each argument NUL-terminated. Throws on an
 * argument holding a NUL (threat: it would be read as two, smuggling in an option of its own).
 */
export function bwrapArgsData(options: readonly string[]): Buffer {
  if (options.some((a) => a.includes('\0'))) throw new Error('bwrapArgsData: an argument contains a NUL byte');
  return Buffer.from(options.map((a) => `${a}\0`).join(''));
}

/** The inverse of {@link bwrapArgsData}. */
export function parseBwrapArgsData(data: Buffer): string[] {
  const s = data.toString();
  return s === '' ? [] : s.replace(/\0$/, '').split('\0');
}

/** bwrap's options (everything before `--` and the command) for a layout. */
export function bwrapOptions(layout: MountLayout): string[] {
  const args = [
    // Fresh namespaces: the agent sees no host process, network, IPC, hostname or cgroup tree.
    '--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    // Threat: an agent outliving Paddock, unsupervised.
    '--die-with-parent',
  ];
  // Threat: TIOCSTI injection of keystrokes into the user's terminal (setsid drops the controlling TTY).
  if (!layout.tty) args.push('--new-session');
  args.push(
    // Threat: capabilities inside the user namespace when Paddock runs as root.
    '--cap-drop', 'ALL',
    '--uid', String(layout.uid), '--gid', String(layout.gid),
    '--hostname', layout.hostname,
    // Threat: host environment (tokens, SSH_AUTH_SOCK, DBUS address) leaking into the agent.
    '--clearenv',
  );
  for (const [k, v] of Object.entries(layout.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    args.push('--setenv', k, v);
  }
  for (const o of layout.ops) args.push(...opArgs(o));
  if (layout.seccompFd !== undefined) args.push('--seccomp', String(layout.seccompFd));
  args.push('--chdir', layout.cwd);
  return args;
}

/** Number of path components: `/` → 0, `/a/b` → 2. Used to mount parents before children. */
export function depth(p: string): number {
  return p === '/' ? 0 : p.split('/').length - 1;
}

/** True when `p` is `root` or lies below it. Both must be normalised absolute paths. */
export function isWithin(p: string, root: string): boolean {
  return p === root || root === '/' || p.startsWith(root.endsWith('/') ? root : `${root}/`);
}
