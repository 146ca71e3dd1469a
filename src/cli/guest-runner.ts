/**
 * Runs commands in an agent's sandbox for a CLI verb (keygen, hook install): through the running
 * host when there is one (it owns the agents' runs), else with a local engine and host.
 */
import { PaddockError, type ErrorCode } from '../shared/errors.js';
import type { GuestOutput, GuestRunner } from '../core/agents/claude-hook.js';
import { createEngine } from '../core/engine.js';
import { connectControl, type ControlClient } from '../core/host/control-client.js';
import { startHost } from '../core/host/host.js';
import { ensureDataDir } from '../core/store/data-dir.js';
import { openStore } from '../core/store/store.js';
import { runInSandbox } from '../core/terminal/index.js';
import { ttyPassphrasePrompt } from '../core/vault/tty-prompt.js';
import type { CommandContext } from './command.js';
import { cliPaths } from './host-client.js';
import { paddockVersion } from './version.js';

/** Calls `fn` with a runner for agent `name`'s sandbox; `label` names the local host (`paddock keygen NAME`). */
export async function withGuestRunner<T>(ctx: CommandContext, name: string, label: string, fn: (run: GuestRunner) => Promise<T>): Promise<T> {
  const paths = cliPaths(ctx);
  ensureDataDir(paths.root);
  const probe = await connectControl(paths.socket);
  if (probe) {
    probe.close();
    const agent = storedAgent(ctx, name);
    return fn(async (command) => {
      const client = await connectControl(paths.socket);
      if (!client) throw new PaddockError('E_NO_HOST', 'the Paddock host stopped; run the command again');
      return viaHost(client, agent, command);
    });
  }
  const engine = await createEngine({ dataDir: paths.root, passphrasePrompt: ttyPassphrasePrompt() });
  let host;
  try {
    engine.agent(name);
    host = await startHost(engine, label, paddockVersion());
  } catch (e) {
    await engine.close();
    throw e;
  }
  try {
    return await fn((command) => runInSandbox(engine, name, command));
  } finally {
    await host.close();
    await engine.close();
  }
}

function storedAgent(ctx: CommandContext, name: string): { profile: string; source: string | null } {
  const store = openStore(cliPaths(ctx).db);
  try {
    const agent = store.agents.get(name);
    if (!agent) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}" (import one with paddock run PROFILE)`);
    return agent;
  } finally {
    store.close();
  }
}

/** A host runs: ask it to run the command as a guest run of the stored agent. */
function viaHost(client: ControlClient, agent: { profile: string; source: string | null }, command: string[]): Promise<GuestOutput> {
  return new Promise<GuestOutput>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const id = client.stream('run', { yaml: agent.profile, source: agent.source, command, cwd: process.cwd() }, (msg) => {
      if ('stream' in msg) {
        if (msg.stream === 'stdout') stdout += Buffer.from(msg.data, 'base64').toString('utf8');
        else stderr += Buffer.from(msg.data, 'base64').toString('utf8');
      } else if ('exit' in msg) {
        client.close();
        resolve({ code: msg.exit.exitCode, stdout, stderr });
      } else if ('ok' in msg && !msg.ok) {
        client.close();
        reject(new PaddockError(msg.error.code as ErrorCode, msg.error.message));
      }
    });
    client.send({ id, stdinEnd: true });
  });
}
