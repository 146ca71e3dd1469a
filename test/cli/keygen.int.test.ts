import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, tempDir } from '../helpers/cli.js';

const tmp = tempDir('paddock-keygen-');
afterAll(() => tmp.cleanup());

let n = 0;
function setup(): { dataDir: string; userHome: string; name: string; env: NodeJS.ProcessEnv; agentSsh: string } {
  const name = `keyed-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const userHome = join(tmp.dir, `user-${n}`);
  // The user's own SSH folder, with a key and an agent socket variable that must stay untouched.
  mkdirSync(join(userHome, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(userHome, '.ssh', 'id_ed25519'), 'USER PRIVATE KEY\n', { mode: 0o600 });
  const env = { ...process.env, HOME: userHome, SSH_AUTH_SOCK: join(userHome, 'agent.sock') };
  const file = join(tmp.dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\n`);
  const r = paddock(['--data-dir', dataDir, 'run', file, '--', 'true'], { env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { dataDir, userHome, name, env, agentSsh: join(dataDir, 'agents', name, 'home', '.ssh') };
}

describe('paddock keygen', { timeout: 60_000 }, () => {
  it("creates an ed25519 key pair in the agent's home only, prints the public key, keeps the user's ~/.ssh as it was", () => {
    const s = setup();
    const before = readdirSync(join(s.userHome, '.ssh'));
    const r = paddock(['--data-dir', s.dataDir, 'keygen', s.name], { env: s.env });
    expect(r.stderr).toContain(s.agentSsh);
    expect(r.code).toBe(0);
    const pub = readFileSync(join(s.agentSsh, 'id_ed25519.pub'), 'utf8');
    expect(pub).toMatch(new RegExp(`^ssh-ed25519 [A-Za-z0-9+/=]+ ${s.name}@paddock\\n$`));
    expect(r.stdout).toBe(pub);
    expect(readFileSync(join(s.agentSsh, 'id_ed25519'), 'utf8')).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(lstatSync(s.agentSsh).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(s.agentSsh, 'id_ed25519')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(s.userHome, '.ssh'))).toEqual(before);
    expect(readFileSync(join(s.userHome, '.ssh', 'id_ed25519'), 'utf8')).toBe('USER PRIVATE KEY\n');
    // The run that made it is on the record.
    const ev = paddock(['--data-dir', s.dataDir, 'events', '--agent', s.name, '--kind', 'run.start', '--json'], { env: s.env });
    expect(ev.stdout).toContain('ssh-keygen');
  });

  it('refuses to overwrite an existing key without --force, replaces it with --force', () => {
    const s = setup();
    expect(paddock(['--data-dir', s.dataDir, 'keygen', s.name], { env: s.env }).code).toBe(0);
    const first = readFileSync(join(s.agentSsh, 'id_ed25519'), 'utf8');
    const again = paddock(['--data-dir', s.dataDir, 'keygen', s.name], { env: s.env });
    expect(again.code).toBe(125);
    expect(again.stderr).toMatch(/already has an SSH key.*--force/);
    expect(readFileSync(join(s.agentSsh, 'id_ed25519'), 'utf8')).toBe(first);
    const forced = paddock(['--data-dir', s.dataDir, 'keygen', s.name, '--force'], { env: s.env });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(s.agentSsh, 'id_ed25519'), 'utf8')).not.toBe(first);
  });

  it("a ~/.ssh symlink planted by the agent towards the user's ~/.ssh cannot make the key land there", () => {
    const s = setup();
    // As the agent would: its own ~/.ssh (with its decoy) replaced by a link to the user's.
    rmSync(s.agentSsh, { recursive: true, force: true });
    symlinkSync(join(s.userHome, '.ssh'), s.agentSsh);
    const r = paddock(['--data-dir', s.dataDir, 'keygen', s.name], { env: s.env });
    expect(r.code).not.toBe(0);
    expect(readdirSync(join(s.userHome, '.ssh'))).toEqual(['id_ed25519']);
    expect(existsSync(join(s.userHome, '.ssh', 'id_ed25519.pub'))).toBe(false);
  });
});
