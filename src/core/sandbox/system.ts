import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { maskOps, type MountOp } from './layout.js';
import { privateEtcEntries } from './etc-scan.js';
import type { WalkBudget } from './walk.js';

/** Read-only system directories bound into every sandbox (only what programs need). */
export const SYSTEM_DIRS = ['/usr', '/etc', '/opt'];
/** Top-level names that are symlinks into /usr on merged-/usr systems, or real dirs elsewhere. */
const SYSTEM_LINKS = ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];

/**
 * The same path pattern spelled through a top-level system link, as it resolves inside (the links
 * are recreated there as they are on the host): `/bin/tac` is also `/usr/bin/tac` on a merged-/usr
 * system. Masks are planned on real paths, so without this `deny exec /bin/tac` masked nothing and
 * said nothing. Only these root-owned links are followed, never a link an agent could plant.
 */
export function systemLinkAliases(pattern: string): string[] {
  const out: string[] = [];
  for (const d of SYSTEM_LINKS) {
    if (pattern !== d && !pattern.startsWith(`${d}/`)) continue;
    const st = lstatSync(d, { throwIfNoEntry: false });
    if (!st?.isSymbolicLink()) continue;
    const target = path.resolve('/', readlinkSync(d));
    if (target !== d) out.push(`${target}${pattern.slice(d.length)}`);
  }
  return out;
}

/**
 * The base of every sandbox: read-only system dirs, fresh /proc, minimal /dev, private /tmp.
 * Everything else at the top level (/root, /home, /run, /var, /mnt, /media, /srv, /sys, the host
 * /tmp) is simply not mounted: the root is an empty tmpfs. Returns the ops and the real system dirs.
 */
export async function systemOps(): Promise<{ ops: MountOp[]; roots: string[] }> {
  const ops: MountOp[] = [];
  const roots: string[] = [];
  for (const d of SYSTEM_DIRS) {
    const st = lstatSync(d, { throwIfNoEntry: false });
    if (st?.isDirectory()) {
      ops.push({ op: 'ro-bind', src: d, dest: d });
      roots.push(d);
    }
  }
  for (const d of SYSTEM_LINKS) {
    const st = lstatSync(d, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) ops.push({ op: 'symlink', target: readlinkSync(d), dest: d });
    else if (st?.isDirectory()) {
      ops.push({ op: 'ro-bind', src: d, dest: d });
      roots.push(d);
    }
  }
  ops.push(
    // Threat: seeing or signalling host processes — a /proc of the sandbox's own pid namespace only.
    { op: 'proc', dest: '/proc' },
    // Threat: raw host devices — bwrap's minimal /dev (null, zero, random, tty, pts).
    { op: 'dev', dest: '/dev' },
    { op: 'tmpfs', dest: '/dev/shm', mode: 0o1777 },
    // Threat: host /tmp holds other users' sockets (X11, ssh-agent) and files: a private one.
    { op: 'tmpfs', dest: '/tmp', mode: 0o1777 },
    { op: 'dir', dest: '/var', mode: 0o755 },
    { op: 'tmpfs', dest: '/var/tmp', mode: 0o1777 },
  );
  return { ops, roots };
}

/**
 * Mask files under /etc that are not world-readable (shadow, gshadow, SSH host keys, TLS
 * private keys, Wi-Fi and VPN secrets). Threat: when Paddock runs as root the agent's uid maps to
 * root on the host, so owner-only files on the read-only /etc would otherwise be readable.
 */
export async function etcMasks(emptyFile: string, budget: WalkBudget, root = '/etc'): Promise<{ ops: MountOp[]; masked: string[] }> {
  const ops: MountOp[] = [];
  const masked: string[] = [];
  for (const e of await privateEtcEntries(budget, root)) {
    masked.push(e.path);
    ops.push(...maskOps(e.path, e.dir, emptyFile));
  }
  return { ops, masked };
}

/** /proc entries made read-only: kernel tunables and triggers (Docker's list). */
const PROC_READ_ONLY = ['sys', 'sysrq-trigger', 'irq', 'bus', 'fs'];
/** /proc entries hidden: kernel memory, keys, timers, symbol addresses, hardware (Docker's list, plus kallsyms). */
const PROC_HIDDEN = ['kcore', 'keys', 'key-users', 'timer_list', 'timer_stats', 'sched_debug', 'latency_stats', 'kallsyms', 'acpi', 'asound', 'scsi'];

/**
 * Threat: with Paddock running as root, the agent's uid maps to host root, and bwrap leaves
 * /proc/sys writable then: `kernel.core_pattern` runs a program as real root on the host, and
 * /proc/sysrq-trigger reboots it. Tunables become read-only; kernel internals are hidden.
 */
export function procHardening(emptyFile: string, proc = '/proc'): MountOp[] {
  const ops: MountOp[] = [];
  for (const name of PROC_READ_ONLY) {
    const st = lstatSync(`${proc}/${name}`, { throwIfNoEntry: false });
    if (st) ops.push({ op: 'ro-bind', src: `${proc}/${name}`, dest: `/proc/${name}` });
  }
  for (const name of PROC_HIDDEN) {
    const st = lstatSync(`${proc}/${name}`, { throwIfNoEntry: false });
    if (st) ops.push(...maskOps(`/proc/${name}`, st.isDirectory(), emptyFile));
  }
  return ops;
}

/** uid/gid inside: the caller's own, or 1000 when Paddock runs as root (agents never run as root inside). */
export function insideIds(hostUid: number, hostGid: number): { uid: number; gid: number } {
  return hostUid === 0 ? { uid: 1000, gid: 1000 } : { uid: hostUid, gid: hostGid === 0 ? 1000 : hostGid };
}

/**
 * /etc/passwd and /etc/group inside: the agent and the two system identities tools expect.
 * Threat: the host's user list (names, homes) is information the agent does not need.
 */
export function identityFiles(agent: string, uid: number, gid: number, home: string): { passwd: string; group: string } {
  const passwd = [
    'root:x:0:0:root:/root:/usr/sbin/nologin',
    `${agent}:x:${uid}:${gid}:Paddock agent ${agent}:${home}:/bin/bash`,
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  ];
  const group = ['root:x:0:', `${agent}:x:${gid}:`, 'nogroup:x:65534:'];
  return { passwd: `${passwd.join('\n')}\n`, group: `${group.join('\n')}\n` };
}
