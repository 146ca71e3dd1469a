/**
 * Places in the user's own home where a file runs a program the next time the user logs in, opens a
 * desktop application, is reached over SSH or runs git/ssh, as paths relative to that home.
 * Threat: an agent granted `~/.config`, `~/.ssh` or `~/.local/share` read-write plants an autostart
 * entry, a systemd user unit, an `authorized_keys` line or an ssh `ProxyCommand` that runs outside
 * the sandbox, as the user (attack pass I). Inside a writable grant they are read-only (when they
 * exist) or must not appear during the run (when they do not).
 */
export const LOGIN_PATHS: readonly string[] = [
  '.config/autostart',
  '.config/systemd/user',
  '.config/environment.d',
  '.config/fish/config.fish',
  '.config/fish/conf.d',
  '.config/git/config',
  '.config/plasma-workspace/env',
  '.local/share/applications',
  '.local/share/systemd/user',
  '.ssh/authorized_keys',
  '.ssh/authorized_keys2',
  '.ssh/config',
  '.ssh/rc',
  '.ssh/environment',
  '.gitconfig',
  '.pam_environment',
  '.xprofile',
  '.xsessionrc',
  '.xinitrc',
];
