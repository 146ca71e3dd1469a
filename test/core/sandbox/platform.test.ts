import { describe, expect, it } from 'vitest';
import { PaddockError } from '../../../src/shared/errors.js';
import { assertPlatformSupported, diagnoseUserns } from '../../../src/core/sandbox/platform.js';

const codeOf = (f: () => void): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(PaddockError);
    return (e as PaddockError).code;
  }
};

describe('assertPlatformSupported', () => {
  it('refuses Windows with a clear sentence', () => {
    expect(codeOf(() => assertPlatformSupported('win32'))).toBe('E_PLATFORM_UNSUPPORTED');
    expect(() => assertPlatformSupported('win32')).toThrow(/Windows/);
  });
  it('says how to install bubblewrap when it is missing', () => {
    expect(codeOf(() => assertPlatformSupported('linux', { bwrapPath: null }))).toBe('E_SANDBOX_UNAVAILABLE');
    expect(() => assertPlatformSupported('linux', { bwrapPath: null })).toThrow(/apt install bubblewrap/);
  });
  it('fails closed when the probe fails (a bwrap that cannot sandbox)', () => {
    expect(codeOf(() => assertPlatformSupported('linux', { bwrapPath: '/bin/false', sysctl: () => null }))).toBe('E_SANDBOX_UNAVAILABLE');
  });
  it('passes on this machine with the real bubblewrap', () => {
    expect(codeOf(() => assertPlatformSupported('linux'))).toBeNull();
  });
});

describe('diagnoseUserns', () => {
  it('explains the Ubuntu AppArmor restriction and its fixes', () => {
    const msg = diagnoseUserns('bwrap: setting up uid map: Permission denied', (f) =>
      f.endsWith('apparmor_restrict_unprivileged_userns') ? '1' : null,
    );
    expect(msg).toContain('kernel.apparmor_restrict_unprivileged_userns=0');
    expect(msg).toContain('AppArmor profile');
    expect(msg).toContain('setting up uid map');
  });
  it('explains the Debian sysctl and max_user_namespaces', () => {
    expect(diagnoseUserns('x', (f) => (f.endsWith('unprivileged_userns_clone') ? '0' : null))).toContain('kernel.unprivileged_userns_clone=1');
    expect(diagnoseUserns('x', (f) => (f.endsWith('max_user_namespaces') ? '0' : null))).toContain('user.max_user_namespaces');
  });
});
