import { PaddockError, type ErrorCode } from '../../shared/errors.js';
import { AGENT_NAME_RE } from '../../shared/names.js';
import { createEngine } from '../../core/engine.js';
import { connectControl, type ControlClient } from '../../core/host/control-client.js';
import { startHost } from '../../core/host/host.js';
import { ensureDataDir } from '../../core/store/data-dir.js';
import { keygenResult, keygenScript, makeAgentKey } from '../../core/terminal/index.js';
import { openStore } from '../../core/store/store.js';
import { ttyPassphrasePrompt } from '../../core/vault/tty-prompt.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { cliPaths } from '../host-client.js';
import { paddockVersion } from '../version.js';

export const keygenCommand: Command = {
  name: 'keygen',
  usage: 'paddock keygen NAME [--force]',
  help: `Creates ~/.ssh/id_ed25519 (and .pub) in the agent's own home by running ssh-keygen inside its
sandbox, and prints the public key for you to register with a service (a deploy key, or the
agent's own account). Your own ~/.ssh and SSH agent are never used nor visible to the agent.
An existing key is kept unless --force is given. Use it inside with: paddock shell NAME.`,
  options: { force: { type: 'boolean', description: 'replace an existing key' } },
  async run(ctx) {
    expectPositionals(ctx.args, 1, 1, 'NAME (the agent)', 'keygen');
    const name = ctx.args.positionals[0]!;
    if (!AGENT_NAME_RE.test(name)) throw new UsageError(`"${name}" is not a valid agent name`, 'keygen');
    const command = keygenScript(name, ctx.args.options.force === true);
    const paths = cliPaths(ctx);
    ensureDataDir(paths.root);
    const existing = await connectControl(paths.socket);
    const key = existing ? keygenResult(name, await viaHost(ctx, existing, name, command)) : await locally(paths.root, name, ctx.args.options.force === true);
    ctx.io.out(key);
    ctx.io.err(`paddock: the key is in ${paths.agentHome(name)}/.ssh/ (register the public key above with the service)\n`);
    return 0;
  },
};

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

async function locally(dataDir: string, name: string, force: boolean): Promise<string> {
  const engine = await createEngine({ dataDir, passphrasePrompt: ttyPassphrasePrompt() });
  let host;
  try {
    engine.agent(name);
    host = await startHost(engine, `paddock keygen ${name}`, paddockVersion());
  } catch (e) {
    await engine.close();
    throw e;
  }
  try {
    return await makeAgentKey(engine, name, force);
  } finally {
    await host.close();
    await engine.close();
  }
}

/** A host runs: ask it to run the script as a guest run of the stored agent. */
async function viaHost(ctx: CommandContext, client: ControlClient, name: string, command: string[]): Promise<Output> {
  const store = openStore(cliPaths(ctx).db);
  let agent;
  try {
    agent = store.agents.get(name);
  } finally {
    store.close();
  }
  if (!agent) {
    client.close();
    throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}" (import one with paddock run PROFILE)`);
  }
  return new Promise<Output>((resolve, reject) => {
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
