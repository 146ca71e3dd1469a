import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { paddock, paddockP, startServe, tempDir } from '../helpers/cli.js';

// PRODUCT.md: "Where no OS keychain is available, the vault is unlocked with a passphrase:
// prompted on a TTY, or taken from PADDOCK_VAULT_PASSPHRASE", and a `paddock run` that finds a
// host running asks it to start the agent. A host started without the variable (serve, the app,
// a first run of an agent with no secrets) used to refuse a guest run that had it set: "the vault
// is locked with a passphrase: set PADDOCK_VAULT_PASSPHRASE", exit 125.
const tmp = tempDir('paddock-conform-pass-');
const hosts: Awaited<ReturnType<typeof startServe>>[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop();
});
afterAll(() => tmp.cleanup());

/** No OS keychain (no session bus) and, unless given, no passphrase. */
function noKeychain(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent', ...extra };
  if (!('PADDOCK_VAULT_PASSPHRASE' in extra)) delete env.PADDOCK_VAULT_PASSPHRASE;
  return env;
}

const PASS = 'correct horse battery';

function setup(n: number): { dataDir: string; file: string } {
  const dataDir = join(tmp.dir, `data-${n}`);
  const file = join(tmp.dir, `vaulted-${n}.yaml`);
  writeFileSync(file, 'name: vaulted\nsecrets:\n  - { name: TOKEN, as: env }\n');
  const set = paddock(['--data-dir', dataDir, 'secret', 'set', 'vaulted', 'TOKEN'], { input: 's3cret-value\n', env: noKeychain({ PADDOCK_VAULT_PASSPHRASE: PASS }) });
  expect(set.code, set.stderr).toBe(0);
  return { dataDir, file };
}

describe('a guest run with PADDOCK_VAULT_PASSPHRASE on a host started without it', () => {
  it('gets its secret: the host unlocks the vault with the passphrase of the guest', async () => {
    const { dataDir, file } = setup(1);
    hosts.push(await startServe(dataDir, noKeychain()));
    const r = await paddockP(['--data-dir', dataDir, 'run', file, '--', 'sh', '-c', 'echo "token=$TOKEN"'], { env: noKeychain({ PADDOCK_VAULT_PASSPHRASE: PASS }) });
    expect(r.stderr).not.toMatch(/locked/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('token=s3cret-value');
    expect(r.stderr).toMatch(/warning: PADDOCK_VAULT_PASSPHRASE is visible/);
  });

  it('controls: without the variable it still says how to unlock (125); a wrong passphrase is refused (125)', async () => {
    const { dataDir, file } = setup(2);
    hosts.push(await startServe(dataDir, noKeychain()));
    const none = await paddockP(['--data-dir', dataDir, 'run', file, '--', 'sh', '-c', 'echo "token=$TOKEN"'], { env: noKeychain() });
    expect(none.code).toBe(125);
    expect(none.stderr).toMatch(/^paddock: .*PADDOCK_VAULT_PASSPHRASE/m);
    const wrong = await paddockP(['--data-dir', dataDir, 'run', file, '--', 'sh', '-c', 'echo "token=$TOKEN"'], { env: noKeychain({ PADDOCK_VAULT_PASSPHRASE: 'not it' }) });
    expect(wrong.code).toBe(125);
    expect(wrong.stderr).toMatch(/^paddock: wrong vault passphrase/m);
    expect(wrong.stdout).not.toContain('s3cret-value');
  });
});
