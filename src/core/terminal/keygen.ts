import { PaddockError } from '../../shared/errors.js';
import type { Engine } from '../engine.js';
import { runInSandbox } from './guest-run.js';

/** Exit code of the in-sandbox script when a key is already there. */
export const KEY_EXISTS = 17;

/**
 * The script that makes an agent's SSH key, run **inside** the agent's sandbox. Threat: the agent
 * may have planted symlinks in its home (`~/.ssh -> /home/user/.ssh`); inside the sandbox the
 * user's files are absent, so the key can only land in the agent's own home. umask 077: the
 * private key is 0600 and ~/.ssh 0700.
 */
export function keygenScript(agent: string, force: boolean): string[] {
  const script = [
    'set -e',
    'umask 077',
    'mkdir -p "$HOME/.ssh"',
    'chmod 700 "$HOME/.ssh"',
    'k="$HOME/.ssh/id_ed25519"',
    force ? 'rm -f "$k" "$k.pub"' : `if [ -e "$k" ] || [ -e "$k.pub" ] || [ -L "$k" ] || [ -L "$k.pub" ]; then exit ${KEY_EXISTS}; fi`,
    'command -v ssh-keygen >/dev/null || { echo "ssh-keygen is not installed on this machine (Debian/Ubuntu: apt install openssh-client)" >&2; exit 127; }',
    `ssh-keygen -q -t ed25519 -N "" -C "${agent}@paddock" -f "$k" </dev/null >/dev/null`,
    'chmod 600 "$k"',
    'cat "$k.pub"',
  ].join('\n');
  return ['/bin/sh', '-c', script];
}

/** Turns the script's outcome into the public key, or the error a user can act on. */
export function keygenResult(agent: string, r: { code: number; stdout: string; stderr: string }): string {
  if (r.code === KEY_EXISTS) throw new PaddockError('E_EXISTS', `agent "${agent}" already has an SSH key (~/.ssh/id_ed25519 in its home); keep it, or replace it with paddock keygen ${agent} --force`);
  const key = r.stdout.trim();
  if (r.code !== 0 || !/^ssh-ed25519 [A-Za-z0-9+/=]+ \S+$/.test(key))
    throw new PaddockError('E_INTERNAL', `ssh-keygen failed inside ${agent}'s sandbox (exit ${r.code}): ${r.stderr.trim() || 'no message'}`);
  return `${key}\n`;
}

/**
 * Makes the agent's SSH key pair in a run of its sandbox (an agent runs once at a time: fails with
 * E_ALREADY_RUNNING while it runs). Returns the public key line.
 */
export async function makeAgentKey(engine: Engine, agent: string, force: boolean): Promise<string> {
  return keygenResult(agent, await runInSandbox(engine, agent, keygenScript(agent, force)));
}
