import { describe, expect, it } from 'vitest';
import { detectCapabilities, doctorChecks } from '../../../../src/core/sandbox/runtime/capabilities.js';
import type { Capabilities } from '../../../../src/core/sandbox/runtime/types.js';

describe('detectCapabilities / doctorChecks', () => {
  it('finds bubblewrap, working user namespaces and writable cgroups on this machine', async () => {
    const c = await detectCapabilities();
    expect(c.bwrap.path).toMatch(/\/bwrap$/);
    expect(c.bwrap.version).toMatch(/^\d+\.\d+/);
    expect(c.userns).toEqual({ ok: true, error: null });
    expect(c.cgroup.mode).not.toBe('none');
    const checks = doctorChecks(c);
    expect(checks.find((d) => d.id === 'sandbox.bwrap')?.ok).toBe(true);
    expect(checks.find((d) => d.id === 'sandbox.pause')?.message).toMatch(/cgroup/);
    for (const d of checks) expect(d.ok || (d.fix !== null && d.fix.length > 0)).toBe(true);
  });

  it('says how to fix a machine without bubblewrap or user namespaces', () => {
    const broken: Capabilities = {
      bwrap: { path: null, version: null },
      userns: { ok: false, error: 'bubblewrap is not installed' },
      apparmorRestrict: true,
      maxUserNamespaces: 0,
      cgroup: { mode: 'none', controllers: [], parents: {} },
      prlimit: null,
    };
    const checks = doctorChecks(broken);
    const byId = new Map(checks.map((d) => [d.id, d]));
    expect(byId.get('sandbox.bwrap')).toMatchObject({ ok: false, fix: expect.stringMatching(/apt install bubblewrap/) });
    expect(byId.get('sandbox.apparmor')).toMatchObject({ ok: false, fix: expect.stringMatching(/apparmor/i) });
    expect(byId.get('sandbox.max-userns')?.ok).toBe(false);
    expect(byId.get('sandbox.cgroup')?.ok).toBe(false);
    expect(byId.get('limits.cpu')?.ok).toBe(false);
    expect(byId.get('sandbox.pause')?.message).toMatch(/SIGSTOP/);
  });
});
