/**
 * A seccomp filter (classic BPF, `struct sock_filter[]`) for bwrap's `--seccomp FD`, generated
 * here so that no libseccomp is needed. Native x86_64 and aarch64; any other syscall ABI (i386
 * compat, x32) gets ENOSYS for everything (threat: bypassing the filter through a second ABI).
 */

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const retErrno = (errno: number): number => 0x00050000 | errno;
const EPERM = 1;
const ENOSYS = 38;

/** Offsets in `struct seccomp_data`. */
const OFF_NR = 0;
const OFF_ARCH = 4;
const argLow = (i: number): number => 16 + 8 * i; // little-endian low 32 bits

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const TIOCSTI = 0x5412;
export const TIOCLINUX = 0x541c;
/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET. */
export const CLONE_NS_FLAGS = 0x7e020000;

/** Syscalls refused with EPERM, and why (each is kernel attack surface or an escape aid). */
const DENIED = [
  'ptrace', 'process_vm_readv', 'process_vm_writev', // tampering with other processes of the run
  'keyctl', 'add_key', 'request_key', // kernel keyrings are not namespaced
  'bpf', 'perf_event_open', 'userfaultfd', 'io_uring_setup', 'io_uring_enter', 'io_uring_register', // frequent kernel-exploit primitives
  'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'reboot', 'swapon', 'swapoff', 'acct', 'syslog',
  'mount', 'umount2', 'pivot_root', 'unshare', 'setns', 'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr', // no nested namespaces or mounts
  'open_by_handle_at', 'name_to_handle_at', 'lookup_dcookie', 'quotactl', 'vhangup', // escaping binds by file handle, misc
  'personality', 'settimeofday', 'clock_settime', 'adjtimex', 'clock_adjtime',
] as const;
/**
 * Syscalls whose mode argument (index) may carry setuid/setgid bits. Threat: an agent planting a
 * setuid program in a writable folder, run later on the host by someone else (with Paddock as
 * root, the agent's files are root's). Refused with EPERM when the mode has S_ISUID or S_ISGID.
 */
const MODE_ARG = { chmod: 1, fchmod: 1, fchmodat: 2, fchmodat2: 2, creat: 1, open: 2, openat: 3, mknod: 1, mknodat: 2 } as const;
type ModeSys = keyof typeof MODE_ARG;
const S_ISUID_ISGID = 0o6000;
type Sys = (typeof DENIED)[number] | 'ioctl' | 'clone' | 'clone3' | 'openat2';

const X86_64: Record<Sys, number> = {
  ioctl: 16, clone: 56, clone3: 435, ptrace: 101, process_vm_readv: 310, process_vm_writev: 311, keyctl: 250, add_key: 248,
  request_key: 249, bpf: 321, perf_event_open: 298, userfaultfd: 323, io_uring_setup: 425, io_uring_enter: 426,
  io_uring_register: 427, kexec_load: 246, kexec_file_load: 320, init_module: 175, finit_module: 313, delete_module: 176,
  reboot: 169, swapon: 167, swapoff: 168, acct: 163, syslog: 103, mount: 165, umount2: 166, pivot_root: 155, unshare: 272,
  setns: 308, open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, mount_setattr: 442,
  open_by_handle_at: 304, name_to_handle_at: 303, lookup_dcookie: 212, quotactl: 179, vhangup: 153, personality: 135,
  settimeofday: 164, clock_settime: 227, adjtimex: 159, clock_adjtime: 305, openat2: 437,
};
const X86_64_MODE: Record<ModeSys, number> = { chmod: 90, fchmod: 91, fchmodat: 268, fchmodat2: 452, creat: 85, open: 2, openat: 257, mknod: 133, mknodat: 259 };
/** aarch64 has no chmod, creat, open or mknod (only the *at forms). */
const AARCH64_MODE: Partial<Record<ModeSys, number>> = { fchmod: 52, fchmodat: 53, fchmodat2: 452, openat: 56, mknodat: 33 };
const AARCH64: Record<Sys, number> = {
  ioctl: 29, clone: 220, clone3: 435, ptrace: 117, process_vm_readv: 270, process_vm_writev: 271, keyctl: 219, add_key: 217,
  request_key: 218, bpf: 280, perf_event_open: 241, userfaultfd: 282, io_uring_setup: 425, io_uring_enter: 426,
  io_uring_register: 427, kexec_load: 104, kexec_file_load: 294, init_module: 105, finit_module: 273, delete_module: 106,
  reboot: 142, swapon: 224, swapoff: 225, acct: 89, syslog: 116, mount: 40, umount2: 39, pivot_root: 41, unshare: 97,
  setns: 268, open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, mount_setattr: 442,
  open_by_handle_at: 265, name_to_handle_at: 264, lookup_dcookie: 18, quotactl: 60, vhangup: 58, personality: 92,
  settimeofday: 170, clock_settime: 112, adjtimex: 171, clock_adjtime: 266, openat2: 437,
};

type Insn = { code: number; k: number; jt?: string; jf?: string; label?: string };

function archBlock(prefix: string, nr: Record<Sys, number>, modeNr: Partial<Record<ModeSys, number>>, x32Guard: boolean): Insn[] {
  const L = (s: string): string => `${prefix}.${s}`;
  const out: Insn[] = [{ code: LD_W_ABS, k: OFF_NR, label: L('start') }];
  // x32 syscalls are x86_64 numbers with bit 30 set: refuse the whole ABI.
  if (x32Guard) out.push({ code: JGE_K, k: 0x40000000, jt: L('enosys') });
  for (const s of DENIED) out.push({ code: JEQ_K, k: nr[s], jt: L('eperm') });
  // No clone3: its flags live in memory BPF cannot read; libc falls back to clone on ENOSYS.
  out.push({ code: JEQ_K, k: nr.clone3, jt: L('enosys') });
  // No openat2: its mode lives in memory BPF cannot read; libc's open never needs it.
  out.push({ code: JEQ_K, k: nr.openat2, jt: L('enosys') });
  out.push({ code: JEQ_K, k: nr.ioctl, jt: L('ioctl') });
  out.push({ code: JEQ_K, k: nr.clone, jt: L('clone') });
  for (const [name, n] of Object.entries(modeNr)) out.push({ code: JEQ_K, k: n, jt: L(`mode${MODE_ARG[name as ModeSys]}`) });
  out.push({ code: RET_K, k: RET_ALLOW });
  for (const arg of [...new Set(Object.keys(modeNr).map((n) => MODE_ARG[n as ModeSys]))]) {
    out.push({ code: LD_W_ABS, k: argLow(arg), label: L(`mode${arg}`) });
    out.push({ code: JSET_K, k: S_ISUID_ISGID, jt: L('eperm') });
    out.push({ code: RET_K, k: RET_ALLOW });
  }
  // Threat: TIOCSTI/TIOCLINUX push keystrokes into a terminal the agent shares (paddock shell).
  out.push({ code: LD_W_ABS, k: argLow(1), label: L('ioctl') });
  out.push({ code: JEQ_K, k: TIOCSTI, jt: L('eperm') });
  out.push({ code: JEQ_K, k: TIOCLINUX, jt: L('eperm') });
  out.push({ code: RET_K, k: RET_ALLOW });
  // Threat: new namespaces inside (fresh capabilities in a nested user namespace).
  out.push({ code: LD_W_ABS, k: argLow(0), label: L('clone') });
  out.push({ code: JSET_K, k: CLONE_NS_FLAGS, jt: L('eperm') });
  out.push({ code: RET_K, k: RET_ALLOW });
  out.push({ code: RET_K, k: retErrno(EPERM), label: L('eperm') });
  out.push({ code: RET_K, k: retErrno(ENOSYS), label: L('enosys') });
  return out;
}

/** Assemble symbolic jumps into `struct sock_filter` bytes (8 bytes each, little-endian). */
function assemble(prog: Insn[]): Buffer {
  const at = new Map<string, number>();
  prog.forEach((insn, i) => insn.label && at.set(insn.label, i));
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((insn, i) => {
    const rel = (label: string | undefined): number => {
      if (label === undefined) return 0;
      const off = (at.get(label) ?? -1) - (i + 1);
      if (off < 0 || off > 255) throw new Error(`seccomp: bad jump to ${label}`);
      return off;
    };
    buf.writeUInt16LE(insn.code, i * 8);
    buf.writeUInt8(rel(insn.jt), i * 8 + 2);
    buf.writeUInt8(rel(insn.jf), i * 8 + 3);
    buf.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return buf;
}

let compiled: Buffer | null = null;

/** The compiled filter, ready to be written to bwrap's `--seccomp` fd (assembled once; a fresh copy each call). */
export function seccompProgram(): Buffer {
  compiled ??= assembleProgram();
  return Buffer.from(compiled);
}

function assembleProgram(): Buffer {
  const prog: Insn[] = [
    { code: LD_W_ABS, k: OFF_ARCH },
    { code: JEQ_K, k: AUDIT_ARCH_X86_64, jt: 'x86.start' },
    { code: JEQ_K, k: AUDIT_ARCH_AARCH64, jt: 'arm.start' },
    { code: RET_K, k: retErrno(ENOSYS) },
    ...archBlock('x86', X86_64, X86_64_MODE, true),
    ...archBlock('arm', AARCH64, AARCH64_MODE, false),
  ];
  return assemble(prog);
}
