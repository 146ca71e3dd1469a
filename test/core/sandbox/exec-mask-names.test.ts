import { describe, expect, it } from 'vitest';
import { versionlessNames } from '../../../src/core/sandbox/exec-mask.js';

describe('versionlessNames: the names a program carries with a version or a GNU triplet', () => {
  it('strips a triplet, then each trailing version part', () => {
    expect(versionlessNames('perl5.36-x86_64-linux-gnu')).toEqual(['perl5.36', 'perl5', 'perl']);
    expect(versionlessNames('python3.11')).toEqual(['python3', 'python']);
    expect(versionlessNames('x86_64-linux-gnu-gcc-12')).toEqual(['gcc-12', 'gcc']);
    expect(versionlessNames('g++-12')).toEqual(['g++']);
  });

  it('leaves other names alone', () => {
    for (const n of ['ssh', 'md5sum', 'python3-config', 'perlbug', '7z']) expect(versionlessNames(n)).toEqual([]);
  });
});
