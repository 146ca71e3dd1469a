import type { Approval } from '../../shared/approval.schema.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { listing, NO_HEADER } from '../format.js';
import { callHost } from '../host-client.js';

export const approvalsCommand: Command = {
  name: 'approvals',
  usage: 'paddock approvals [--json] [--no-header]',
  help: 'Answer one with paddock approve ID [--always] or paddock deny ID [--always].',
  options: { ...NO_HEADER },
  async run(ctx) {
    expectPositionals(ctx.args, 0, 0, '', 'approvals');
    const list = (await callHost(ctx, 'approvals', {})) as Approval[];
    if (ctx.json) {
      for (const a of list) ctx.io.out(`${JSON.stringify(a)}\n`);
      return 0;
    }
    const rows = list.map((a) => [a.id, a.agent, a.kind, a.target, `${Math.max(0, Math.round((Date.parse(a.expires) - Date.now()) / 1000))}s`, a.detail]);
    ctx.io.out(listing(['ID', 'AGENT', 'KIND', 'TARGET', 'EXPIRES', 'DETAIL'], rows, ctx.args.options['no-header'] === true));
    return 0;
  },
};

async function answer(ctx: CommandContext, verb: 'approve' | 'deny'): Promise<number> {
  expectPositionals(ctx.args, 1, 1, 'ID (see paddock approvals)', verb);
  const id = ctx.args.positionals[0]!;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new UsageError(`"${id}" is not an approval id (see paddock approvals)`, verb);
  const always = ctx.args.options.always === true;
  const value = verb === 'approve' ? (always ? 'always' : 'once') : always ? 'deny-always' : 'deny';
  await callHost(ctx, 'answer', { id, answer: value });
  ctx.io.out(`${verb === 'approve' ? 'approved' : 'denied'} ${id}${always ? ' (and remembered as a rule)' : ''}\n`);
  return 0;
}

export const approveCommand: Command = {
  name: 'approve',
  usage: 'paddock approve ID [--always]',
  options: { always: { type: 'boolean', description: 'remember: add an allow rule so the same request is not asked again' } },
  run: (ctx) => answer(ctx, 'approve'),
};

export const denyCommand: Command = {
  name: 'deny',
  usage: 'paddock deny ID [--always]',
  options: { always: { type: 'boolean', description: 'remember: add a deny rule so the same request is refused at once' } },
  run: (ctx) => answer(ctx, 'deny'),
};
