import { describe, expect, it } from 'vitest';
import { clampSize, defaultShellCommand, ptyWrap, shQuote } from '../../../src/core/terminal/shell-command.js';
import { keygenResult, keygenScript, KEY_EXISTS } from '../../../src/core/terminal/keygen.js';

describe('the default shell of paddock shell', () => {
  const have = (...paths: string[]) => (p: string) => paths.includes(p);
  it("uses the user's $SHELL by basename when it exists inside, as a login shell", () => {
    expect(defaultShellCommand('/usr/local/bin/zsh', have('/usr/bin/zsh', '/bin/bash'))).toEqual(['/usr/bin/zsh', '-l']);
  });
  it('falls back to bash, then sh, when $SHELL is absent inside or unset', () => {
    expect(defaultShellCommand('/opt/fish/bin/fish', have('/bin/bash'))).toEqual(['/bin/bash', '-l']);
    expect(defaultShellCommand(undefined, have('/bin/sh'))).toEqual(['/bin/sh', '-l']);
  });
  it('never takes words from a crafted $SHELL', () => {
    expect(defaultShellCommand('/bin/bash -c evil', have('/bin/bash -c evil', '/usr/bin/bash'))).toEqual(['/usr/bin/bash', '-l']);
  });
});

describe('the pty wrapper', () => {
  it('quotes every word of the command and sets the initial size', () => {
    const argv = ptyWrap(['/bin/sh', '-c', "echo 'it''s'; $(x)"], { cols: 132, rows: 41 });
    expect(argv.slice(0, 2)).toEqual(['script', '-qfec']);
    expect(argv[3]).toBe('/dev/null');
    expect(argv[2]).toBe(`stty cols 132 rows 41 2>/dev/null; exec '/bin/sh' '-c' ${shQuote("echo 'it''s'; $(x)")}`);
  });
  it('clamps absurd sizes', () => {
    expect(clampSize({ cols: 1e9, rows: -3 })).toEqual({ cols: 1000, rows: 1 });
    expect(clampSize({ cols: Number.NaN, rows: 30.7 })).toEqual({ cols: 24, rows: 30 });
  });
});

describe('keygen script outcome', () => {
  it('refuses to overwrite without --force and says how', () => {
    expect(keygenScript('a', false)[2]).toContain(`exit ${KEY_EXISTS}`);
    expect(keygenScript('a', true)[2]).toContain('rm -f');
    expect(() => keygenResult('a', { code: KEY_EXISTS, stdout: '', stderr: '' })).toThrow(/--force/);
  });
  it('accepts only a public key line', () => {
    expect(keygenResult('a', { code: 0, stdout: 'ssh-ed25519 AAAA a@paddock\n', stderr: '' })).toBe('ssh-ed25519 AAAA a@paddock\n');
    expect(() => keygenResult('a', { code: 0, stdout: 'garbage', stderr: '' })).toThrow(/ssh-keygen failed/);
  });
});
