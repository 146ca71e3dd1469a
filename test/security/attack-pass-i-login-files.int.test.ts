/**
 * Attack pass I (black box): docs/SECURITY.md lists "persist (shell rc files, autostart, …)" as
 * defended, but an agent granted the user's `~/.config`, `~/.ssh` or `~/.local/share` read-write
 * wrote `~/.config/autostart/evil.desktop`, a systemd user unit, `~/.ssh/authorized_keys`,
 * `~/.ssh/config` (a `ProxyCommand`) and `~/.ssh/rc`: each runs a program as the user, outside the
 * sandbox, at the next login, desktop start or SSH connection. Now those that exist are read-only
 * inside, and one that appears during the run raises a `login-plant` alert and pauses the agent.
 * Positive control: other files in the same grants stay writable.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { events, runResuming, suite } from './helpers.js';

const s = suite('atkilogin');
afterAll(() => s.cleanup());

const home = join(s.dir, 'userhome');
for (const d of ['.config/autostart', '.config/systemd/user', '.config/app', '.ssh', '.local/share/applications']) mkdirSync(join(home, d), { recursive: true });
writeFileSync(join(home, '.ssh/authorized_keys'), 'ssh-ed25519 AAAA user@laptop\n');
writeFileSync(join(home, '.ssh/config'), 'Host *\n  ServerAliveInterval 30\n');

describe("the user's login and SSH files inside writable grants", () => {
  it('cannot be planted: existing ones read-only, a new one alerts and pauses; other files writable', async () => {
    const { dataDir, file, name } = s.setup((n) => ({
      name: n,
      folders: [{ path: '~/.config', access: 'rw' }, { path: '~/.ssh', access: 'rw' }, { path: '~/.local/share', access: 'rw' }],
    }));
    const tries = ['.config/autostart/evil.desktop', '.config/systemd/user/evil.service', '.local/share/applications/firefox.desktop', '.ssh/authorized_keys', '.ssh/config'];
    const cmd = [
      ...tries.map((t) => `echo PLANT >> ${home}/${t} 2>/dev/null && echo "wrote ${t}" || echo "refused ${t}"`),
      `echo ok > ${home}/.config/app/settings.conf && echo "wrote app"`,
      `echo PLANT > ${home}/.ssh/rc; sleep 2; echo after-rc`,
    ].join('; ');
    const r = await runResuming(dataDir, file, name, { args: ['--', 'bash', '-c', cmd], ms: 40_000, env: { ...process.env, HOME: home } });
    // Threat: a program that runs as the user at the next login or ssh connection.
    for (const t of tries) expect(r.stdout, r.stderr).toContain(`refused ${t}`);
    expect(readFileSync(join(home, '.ssh/authorized_keys'), 'utf8')).not.toContain('PLANT');
    expect(r.stdout).toContain('wrote app');
    const alerts = events(dataDir, name, 'alert').filter((e) => e.type === 'login-plant');
    expect(alerts.map((a) => a.message).join('\n')).toContain(`${home}/.ssh/rc appeared during the run`);
    expect(r.pauses).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('a login folder whose parent does not exist yet (mkdir -p ~/.config/systemd/user) alerts too', async () => {
    const bare = join(s.dir, 'barehome');
    mkdirSync(join(bare, '.config', 'app'), { recursive: true });
    const { dataDir, file, name } = s.setup((n) => ({ name: n, folders: [{ path: '~/.config', access: 'rw' }] }));
    const unit = `${bare}/.config/systemd/user/evil.service`;
    const cmd = `sleep 1; mkdir -p ${bare}/.config/systemd/user && echo PLANT > ${unit}; echo planted; sleep 2`;
    const r = await runResuming(dataDir, file, name, { args: ['--', 'bash', '-c', cmd], ms: 40_000, env: { ...process.env, HOME: bare } });
    expect(r.stdout, r.stderr).toContain('planted');
    // Threat: a systemd user unit that runs as the user at the next login, planted where nothing was watched.
    const alerts = events(dataDir, name, 'alert').filter((e) => e.type === 'login-plant');
    expect(alerts.map((a) => a.message).join('\n')).toContain(`${bare}/.config/systemd/user appeared during the run`);
  }, 90_000);

  it("a login file that is a dotfile manager's link: replacing it alerts and pauses", async () => {
    const dh = join(s.dir, 'dotfiles-home');
    mkdirSync(join(dh, '.ssh'), { recursive: true });
    mkdirSync(join(dh, 'dotfiles'), { recursive: true });
    writeFileSync(join(dh, 'dotfiles', 'ssh_config'), 'Host *\n');
    symlinkSync(join(dh, 'dotfiles', 'ssh_config'), join(dh, '.ssh', 'config'));
    const { dataDir, file, name } = s.setup((n) => ({ name: n, folders: [{ path: '~/.ssh', access: 'rw' }] }));
    const cmd = `sleep 1; rm ${dh}/.ssh/config && echo 'Host *\n  ProxyCommand sh -c evil' > ${dh}/.ssh/config; echo replaced; sleep 2`;
    const r = await runResuming(dataDir, file, name, { args: ['--', 'bash', '-c', cmd], ms: 40_000, env: { ...process.env, HOME: dh } });
    expect(r.stdout, r.stderr).toContain('replaced');
    // Threat: a ProxyCommand that runs at the user's next ssh, in place of their dotfiles link.
    const alerts = events(dataDir, name, 'alert').filter((e) => e.type === 'mask-replaced');
    expect(alerts.map((a) => a.message).join('\n')).toContain(`${dh}/.ssh/config was replaced during the run`);
    expect(r.pauses).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('paddock check flags a writable folder that is itself a PATH or login folder (HIGH); a folder above one is not flagged', () => {
    mkdirSync(join(home, 'bin'), { recursive: true });
    const file = join(s.dir, 'check.yaml');
    writeFileSync(file, 'name: chk\nworkspace: ~/bin\nfolders:\n  - { path: ~/.config/autostart, access: rw }\n  - { path: ~/.config, access: rw }\n');
    const r = paddock(['check', file], { env: { ...process.env, HOME: home, PATH: `${home}/bin:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    const high = r.stdout.split('\n').filter((l) => l.includes('folder-rw-runs-code'));
    // Threat: the protections apply inside a grant, never to the grant itself; the user must be told.
    expect(high).toHaveLength(2);
    expect(high.join('\n')).toMatch(/HIGH +.*\/bin \(the workspace\) is on your PATH/);
    expect(high.join('\n')).toMatch(/HIGH +.*\/\.config\/autostart \(rw\) runs programs as you/);
  });
});
