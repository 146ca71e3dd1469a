import { PaddockError } from '../../shared/errors.js';
import { AGENT_NAME_RE, MAX_SECRET_BYTES, SECRET_NAME_RE } from '../../shared/names.js';
import type { SecretMeta } from '../../shared/secret.schema.js';
import { listSecrets, readHidden, removeSecret, setSecret } from '../../core/commands/offline/index.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { jsonLine, listing, NO_HEADER } from '../format.js';
import { cliPaths } from '../host-client.js';

const USAGE = 'paddock secret set AGENT NAME  (value on stdin) | paddock secret ls AGENT [--json] [--no-header] | paddock secret rm AGENT NAME';

function names(ctx: CommandContext, sub: string, withName: boolean): { agent: string; name: string } {
  const p = ctx.args.positionals.slice(1);
  if (sub === 'set' && p.length > 2)
    // Threat: a value on the command line is visible in `ps`, /proc/PID/cmdline and shell history.
    throw new UsageError('the value is read from stdin, never from the command line: printf %s "$VALUE" | paddock secret set AGENT NAME', 'secret');
  expectPositionals({ ...ctx.args, positionals: p }, withName ? 2 : 1, withName ? 2 : 1, withName ? 'AGENT and NAME' : 'AGENT', 'secret');
  const [agent, name = ''] = p as [string, string?];
  if (!AGENT_NAME_RE.test(agent)) throw new UsageError(`"${agent}" is not a valid agent name`, 'secret');
  if (withName && !SECRET_NAME_RE.test(name))
    throw new UsageError(`"${name}" is not a valid secret name (letters, digits, _ . - starting with a letter or _, at most 128)`, 'secret');
  return { agent, name };
}

/** Reads the value: hidden from the terminal, or all of stdin (one trailing newline dropped). */
async function readValue(name: string): Promise<Buffer> {
  if (process.stdin.isTTY) {
    const line = await readHidden(`Value for ${name} (not shown): `);
    return Buffer.from(line ?? '', 'utf8');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(c);
    size += c.length;
    if (size > MAX_SECRET_BYTES + 2) {
      for (const b of chunks) b.fill(0);
      throw new PaddockError('E_INVALID_INPUT', `the value on stdin is larger than ${MAX_SECRET_BYTES} bytes: store a smaller secret`);
    }
  }
  const all = Buffer.concat(chunks);
  for (const b of chunks) b.fill(0);
  let end = all.length;
  if (end > 0 && all[end - 1] === 0x0a) end -= all[end - 2] === 0x0d && end >= 2 ? 2 : 1;
  return all.subarray(0, end);
}

function metaRow(m: SecretMeta): string[] {
  return [m.name, m.as ?? '-', m.hosts.length ? m.hosts.join(',') : '-', m.updated, m.lastUsed ?? 'never', String(m.useCount)];
}

/** `paddock secret set|ls|rm`: the vault, without a running host (the store is opened directly). */
export const secretCommand: Command = {
  name: 'secret',
  usage: USAGE,
  help:
    'set reads the value from stdin (one trailing newline is dropped) or, on a terminal, asks for it without echo. ' +
    'The vault master key lives in the OS keychain; without one, set PADDOCK_VAULT_PASSPHRASE or answer the passphrase prompt. ' +
    'ls and rm never need the keychain or the passphrase.',
  options: { ...NO_HEADER },
  async run(ctx) {
    const sub = ctx.args.positionals[0];
    if (sub === undefined) throw new UsageError('missing a subcommand (set, ls or rm)', 'secret');
    if (sub === 'set') {
      const { agent, name } = names(ctx, sub, true);
      const value = await readValue(name);
      try {
        await setSecret(cliPaths(ctx), { env: ctx.env, warn: (l) => ctx.io.err(`${l}\n`) }, agent, name, value);
      } finally {
        value.fill(0);
      }
      ctx.io.out(`secret ${name} set for ${agent}\n`);
      return 0;
    }
    if (sub === 'ls' || sub === 'list') {
      const { agent } = names(ctx, sub, false);
      const metas = await listSecrets(cliPaths(ctx), ctx.env, agent);
      if (ctx.json) for (const m of metas) ctx.io.out(`${jsonLine(m)}\n`);
      else if (metas.length > 0) {
        ctx.io.out(listing(['NAME', 'AS', 'HOSTS', 'UPDATED', 'LAST-USED', 'USES'], metas.map(metaRow), ctx.args.options['no-header'] === true));
      }
      return 0;
    }
    if (sub === 'rm' || sub === 'remove') {
      const { agent, name } = names(ctx, sub, true);
      if (!(await removeSecret(cliPaths(ctx), ctx.env, agent, name)))
        throw new PaddockError('E_NOT_FOUND', `agent ${agent} has no secret ${name}; see paddock secret ls ${agent}`);
      ctx.io.out(`secret ${name} removed from ${agent}\n`);
      return 0;
    }
    throw new UsageError(`unknown subcommand "secret ${sub}" (set, ls or rm)`, 'secret');
  },
};
