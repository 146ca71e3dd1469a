import { AGENT_NAME_RE } from '../../shared/names.js';
import { keygenResult, keygenScript } from '../../core/commands/index.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { withGuestRunner } from '../guest-runner.js';
import { cliPaths } from '../host-client.js';

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
    const key = await withGuestRunner(ctx, name, `paddock keygen ${name}`, async (run) => keygenResult(name, await run(command)));
    ctx.io.out(key);
    ctx.io.err(`paddock: the key is in ${cliPaths(ctx).agentHome(name)}/.ssh/ (register the public key above with the service)\n`);
    return 0;
  },
};
