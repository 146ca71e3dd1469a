import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

const RELAY = path.join(import.meta.dirname, '..', '..', 'native', 'bin', 'paddock-relay');
const LAUNCH = path.join(import.meta.dirname, '..', '..', 'native', 'bin', 'paddock-launch');
const DECOY_WATCH = path.join(import.meta.dirname, '..', '..', 'native', 'bin', 'paddock-decoy-watch');

describe('paddock doctor: the native helpers', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  const line = (env: NodeJS.ProcessEnv, id: string): { ok: boolean; message: string; fix: string | null } => {
    const r = paddock(['--data-dir', dir, 'doctor', '--json'], { env });
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; ok: boolean; message: string; fix: string | null });
    return lines.find((l) => l.id === id)!;
  };
  const relayLine = (env: NodeJS.ProcessEnv): ReturnType<typeof line> => line(env, 'egress.relay');

  it.skipIf(!existsSync(LAUNCH))('says how sandboxes start: the native launcher, or /bin/sh and how to get the launcher', () => {
    expect(line({ ...process.env, PADDOCK_NATIVE: '' }, 'sandbox.launcher')).toMatchObject({ ok: true, message: expect.stringContaining(`native launcher, pre-started for the next run (${LAUNCH})`) });
    expect(line({ ...process.env, PADDOCK_NATIVE: 'off' }, 'sandbox.launcher')).toMatchObject({ message: expect.stringContaining('/bin/sh (PADDOCK_NATIVE=off)'), fix: null });
    const missing = line({ ...process.env, PADDOCK_NATIVE: dir }, 'sandbox.launcher');
    expect(missing.message).toContain('not built');
    expect(missing.fix).toContain('npm run build');
  });

  it.skipIf(!existsSync(LAUNCH))('says which way agents reach their proxy: the listener inside their network namespace, or the socat bridge and why', () => {
    expect(line({ ...process.env, PADDOCK_NATIVE: '', PADDOCK_NET_PATH: '' }, 'egress.path')).toMatchObject({ ok: true, message: expect.stringContaining('listener inside their own network namespace'), fix: null });
    expect(line({ ...process.env, PADDOCK_NATIVE: '', PADDOCK_NET_PATH: 'bridge' }, 'egress.path')).toMatchObject({ message: expect.stringContaining('socat bridge (PADDOCK_NET_PATH=bridge)'), fix: null });
    expect(line({ ...process.env, PADDOCK_NATIVE: 'off' }, 'egress.path')).toMatchObject({ message: expect.stringContaining('socat bridge (PADDOCK_NATIVE=off)'), fix: null });
    const missing = line({ ...process.env, PADDOCK_NATIVE: dir }, 'egress.path');
    expect(missing.message).toContain('not built');
    expect(missing.fix).toContain('npm run build');
  });

  it.skipIf(!existsSync(DECOY_WATCH))('says how decoy reads are watched: inotify, or access-time polling and its limits', () => {
    expect(line({ ...process.env, PADDOCK_NATIVE: '' }, 'decoys.watch')).toMatchObject({ ok: true, message: `decoy reads are watched with inotify (${DECOY_WATCH})` });
    expect(line({ ...process.env, PADDOCK_NATIVE: 'off' }, 'decoys.watch')).toMatchObject({ message: expect.stringContaining('polling access times (PADDOCK_NATIVE=off)'), fix: null });
    expect(line({ ...process.env, PADDOCK_NATIVE: dir }, 'decoys.watch').fix).toContain('npm run build');
  });

  it.skipIf(!existsSync(RELAY))('says bulk tunnels use the native relay, and where it is', () => {
    expect(relayLine({ ...process.env, PADDOCK_NATIVE: '' })).toMatchObject({ ok: true, message: `bulk tunnels: native splice relay (${RELAY})` });
  });

  it('says so when they stay in Node, and how to get the relay when it is missing', () => {
    expect(relayLine({ ...process.env, PADDOCK_NATIVE: 'off' })).toMatchObject({ ok: true, message: expect.stringContaining('in Node (PADDOCK_NATIVE=off)'), fix: null });
    const missing = relayLine({ ...process.env, PADDOCK_NATIVE: dir });
    expect(missing.message).toContain('not built');
    expect(missing.fix).toContain('npm run build');
  });
});

describe('paddock doctor: the keychain as the running host sees it', () => {
  const KEYRING = process.env.PADDOCK_TEST_KEYRING === '1';
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  const keychainLine = (env: NodeJS.ProcessEnv): { ok: boolean; message: string } => {
    const r = paddock(['--data-dir', dir, 'doctor', '--json'], { env });
    return r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; ok: boolean; message: string })
      .find((l) => l.id === 'keychain')!;
  };

  // A plain shell without the desktop's D-Bus said "FIX keychain" although the host it talks to had one.
  it.skipIf(!KEYRING)('asks the running host instead of reporting this shell’s missing D-Bus', async () => {
    const noBus = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
    expect(keychainLine(noBus).ok).toBe(false); // control: this shell alone has no keychain
    const host = paddockAsync(['--data-dir', dir, 'serve', '--port', '0']);
    try {
      await waitFor(() => /token=/.test(host.out()), 20_000);
      const line = keychainLine(noBus);
      expect(line.ok).toBe(true);
      expect(line.message).toMatch(/running host, pid \d+/);
    } finally {
      host.child.kill('SIGTERM');
      await host.exit;
    }
  });
});

describe('paddock doctor: the keychain line with no keychain', () => {
  it('does not tell a user who set PADDOCK_VAULT_PASSPHRASE to set it; says what it costs', () => {
    const t = tempDir();
    try {
      const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
      const read = (e: NodeJS.ProcessEnv): { ok: boolean; message: string; fix: string | null } => {
        const r = paddock(['--data-dir', t.dir, 'doctor', '--json'], { env: e });
        return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; ok: boolean; message: string; fix: string | null }).find((l) => l.id === 'keychain')!;
      };
      const without = read({ ...env, PADDOCK_VAULT_PASSPHRASE: '' });
      expect(without.ok).toBe(false);
      expect(without.fix).toContain('set PADDOCK_VAULT_PASSPHRASE or answer the prompt');
      const set = read({ ...env, PADDOCK_VAULT_PASSPHRASE: 'correct horse' });
      expect(set.message).toContain('the vault is unlocked with PADDOCK_VAULT_PASSPHRASE, which your other processes can read');
      expect(set.fix).toContain('unset PADDOCK_VAULT_PASSPHRASE');
      expect(set.fix).not.toContain('set PADDOCK_VAULT_PASSPHRASE or');
    } finally {
      t.cleanup();
    }
  });
});
