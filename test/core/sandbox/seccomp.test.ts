import { describe, expect, it } from 'vitest';
import { AUDIT_ARCH_AARCH64, AUDIT_ARCH_X86_64, TIOCSTI, seccompProgram } from '../../../src/core/sandbox/seccomp.js';

interface Insn { code: number; jt: number; jf: number; k: number }
const decode = (b: Buffer): Insn[] =>
  Array.from({ length: b.length / 8 }, (_, i) => ({ code: b.readUInt16LE(i * 8), jt: b[i * 8 + 2] as number, jf: b[i * 8 + 3] as number, k: b.readUInt32LE(i * 8 + 4) }));

/** A tiny classic-BPF interpreter for the instructions the generator uses. */
function run(prog: Insn[], data: { nr: number; arch: number; args?: number[] }): number {
  let acc = 0;
  for (let pc = 0; pc < prog.length; pc++) {
    const i = prog[pc] as Insn;
    if (i.code === 0x20) acc = i.k === 0 ? data.nr : i.k === 4 ? data.arch : (data.args?.[(i.k - 16) / 8] ?? 0);
    else if (i.code === 0x15) pc += acc === i.k ? i.jt : i.jf;
    else if (i.code === 0x35) pc += acc >>> 0 >= i.k ? i.jt : i.jf;
    else if (i.code === 0x45) pc += (acc & i.k) !== 0 ? i.jt : i.jf;
    else if (i.code === 0x06) return i.k;
    else throw new Error(`unknown insn ${i.code}`);
  }
  throw new Error('fell off the program');
}

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const ENOSYS = 0x00050026;

describe('seccompProgram', () => {
  const prog = decode(seccompProgram());
  it('allows ordinary syscalls and refuses TIOCSTI, keyctl, unshare and namespace clones on x86_64', () => {
    const x = (nr: number, args?: number[]): number => run(prog, { nr, arch: AUDIT_ARCH_X86_64, args });
    expect(x(0)).toBe(ALLOW); // read
    expect(x(16, [1, 0x5401])).toBe(ALLOW); // ioctl TCGETS
    expect(x(16, [1, TIOCSTI])).toBe(EPERM);
    expect(x(250)).toBe(EPERM); // keyctl
    expect(x(272)).toBe(EPERM); // unshare
    expect(x(56, [0x11])).toBe(ALLOW); // clone(SIGCHLD)
    expect(x(56, [0x10000000])).toBe(EPERM); // clone(CLONE_NEWUSER)
    expect(x(435)).toBe(ENOSYS); // clone3
    expect(x(0x40000000 + 1)).toBe(ENOSYS); // x32 ABI
  });
  it('refuses setuid/setgid bits in every mode-taking call, on both ABIs, and openat2', () => {
    const x = (nr: number, args?: number[]): number => run(prog, { nr, arch: AUDIT_ARCH_X86_64, args });
    const a = (nr: number, args?: number[]): number => run(prog, { nr, arch: AUDIT_ARCH_AARCH64, args });
    // [x86_64 nr, mode arg index]
    for (const [nr, i] of [[90, 1], [91, 1], [268, 2], [452, 2], [85, 1], [2, 2], [257, 3], [133, 1], [259, 2]] as const) {
      const args = (mode: number): number[] => Array.from({ length: 4 }, (_, j) => (j === i ? mode : 0x41));
      expect(x(nr, args(0o755))).toBe(ALLOW);
      expect(x(nr, args(0o4755))).toBe(EPERM);
      expect(x(nr, args(0o2755))).toBe(EPERM);
    }
    for (const [nr, i] of [[52, 1], [53, 2], [452, 2], [56, 3], [33, 2]] as const) {
      const args = (mode: number): number[] => Array.from({ length: 4 }, (_, j) => (j === i ? mode : 0x41));
      expect(a(nr, args(0o644))).toBe(ALLOW);
      expect(a(nr, args(0o4755))).toBe(EPERM);
    }
    expect(x(437)).toBe(ENOSYS); // openat2: its mode is in memory
    expect(a(437)).toBe(ENOSYS);
  });

  it('applies the same policy on aarch64 and refuses unknown ABIs', () => {
    const a = (nr: number, args?: number[]): number => run(prog, { nr, arch: AUDIT_ARCH_AARCH64, args });
    expect(a(63)).toBe(ALLOW); // read
    expect(a(29, [0, TIOCSTI])).toBe(EPERM);
    expect(a(97)).toBe(EPERM); // unshare
    expect(a(220, [0x10000000])).toBe(EPERM);
    expect(run(prog, { nr: 0, arch: 0x40000003 })).toBe(ENOSYS); // i386
  });
});
