/**
 * Runs commands in an agent's sandbox for a CLI verb (keygen, hook install): through the running
 * host when there is one (it owns the agents' runs), else with a local engine and host.
 */
import { PaddockError, type ErrorCode } from '../shared/errors.js';
import { connectControl, ensureDataDir, type ControlClient } from '../core/client/index.js';
import { createPaddock, ttyPassphrasePrompt, type GuestOutput, type GuestRunner } from '../core/commands/index.js';
import { startHost } from '../core/host/index.js';
import type { CommandContext } from './command.js';
import { cliPaths } from './host-client.js';
import { paddockVersion } from './version.js';

/** Calls `fn` with a runner for agent `name`'s sandbox; `label` names the local host (`paddock keygen NAME`). */
export async function withGuestRunner<T>(ctx: CommandContext, name: string, label: string, fn: (run: GuestRunner) => Promise<T>): Promise<T> {
  const paths = cliPaths(ctx);
  ensureDataDir(paths.root);
  const probe = await connectControl(paths.socket);
  if (probe) {
    // The host owns the store: the stored profile comes from it (the same `agents:get` as the app's).
    const agent = await probe.call('agents:get', { name }).finally(() => probe.close());
    return fn(async (command) => {
      const client = await connectControl(paths.socket);
      if (!client) throw new PaddockError('E_NO_HOST', 'the Paddock host stopped; run the command again');
      return viaHost(client, agent, command);
    });
  }
  const engine = await createPaddock({ dataDir: paths.root, passphrasePrompt: ttyPassphrasePrompt() });
  let host;
  try {
    engine.loadAgent(name);
    host = await startHost(engine, label, paddockVersion());
  } catch (e) {
    await engine.close();
    throw e;
  }
  try {
    return await fn((command) => engine.runInSandbox(name, command));
  } finally {
    await host.close();
    await engine.close();
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
