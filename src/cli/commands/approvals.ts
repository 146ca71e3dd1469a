import type { Answer } from '../../shared/approval.schema.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { jsonLine, listing, NO_HEADER, printable } from '../format.js';
import { callHost } from '../host-client.js';

export const approvalsCommand: Command = {
  name: 'approvals',
  usage: 'paddock approvals [--json] [--no-header]',
  help: 'Answer one with paddock approve ID [--always | --for-run | --for 1h] or paddock deny ID [same]. A denied or unanswered ask is not asked again in that run.',
  options: { ...NO_HEADER },
  async run(ctx) {
    expectPositionals(ctx.args, 0, 0, '', 'approvals');
    const list = await callHost(ctx, 'approvals:list', undefined);
    if (ctx.json) {
      for (const a of list) ctx.io.out(`${jsonLine(a)}\n`);
      return 0;
    }
    const rows = list.map((a) => [a.id, a.agent, a.kind, a.target, `${Math.max(0, Math.round((Date.parse(a.expires) - Date.now()) / 1000))}s`, a.detail]);
    ctx.io.out(listing(['ID', 'AGENT', 'KIND', 'TARGET', 'EXPIRES', 'DETAIL'], rows, ctx.args.options['no-header'] === true));
    return 0;
  },
};

/** The answer the flags ask for; at most one scope. Plain `approve ID` answers this ask only. */
function chosenAnswer(ctx: CommandContext, verb: 'approve' | 'deny'): Answer {
  const o = ctx.args.options;
  const forOpt = o.for;
  if (forOpt !== undefined && forOpt !== '1h') throw new UsageError(`--for takes 1h (one hour), not "${String(forOpt)}"`, verb);
  const scopes = [o.always === true, o['for-run'] === true, forOpt === '1h'].filter(Boolean).length;
  if (scopes > 1) throw new UsageError('choose one of --always, --for-run and --for 1h', verb);
  const allow = verb === 'approve';
  if (o.always === true) return allow ? 'always' : 'deny-always';
  if (o['for-run'] === true) return allow ? 'allow-run' : 'deny-run';
  if (forOpt === '1h') return allow ? 'allow-1h' : 'deny-1h';
  return allow ? 'once' : 'deny';
}

/** What the host applied, in words: an "always" it counted once (no narrow rule can name the target) says so. */
function applied(answer: Answer, effective: Answer | 'timeout', rule?: string): string {
  switch (effective) {
    case 'always':
    case 'deny-always':
      return rule !== undefined ? ` (and remembered as the rule "${printable(rule)}")` : ' (and remembered as a rule)';
    case 'allow-run':
    case 'deny-run':
      return ' for the rest of the run';
    case 'allow-1h':
    case 'deny-1h':
      return ' for one hour';
    case 'once':
      return answer === 'always' ? ' this once (no narrow rule can name this target, so nothing was remembered)' : '';
    case 'deny':
      return answer === 'deny-always' ? ' (not asked again in this run; no narrow rule can name this target, so nothing was remembered)' : ' (not asked again in this run)';
    default:
      return '';
  }
}

async function answer(ctx: CommandContext, verb: 'approve' | 'deny'): Promise<number> {
  expectPositionals(ctx.args, 1, 1, 'ID (see paddock approvals)', verb);
  const id = ctx.args.positionals[0]!;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new UsageError(`"${id}" is not an approval id (see paddock approvals)`, verb);
  const value = chosenAnswer(ctx, verb);
  // The host says which answer it applied: the line printed is that one, never the one asked for.
  const r = await callHost(ctx, 'approvals:answer', { id, answer: value });
  ctx.io.out(`${verb === 'approve' ? 'approved' : 'denied'} ${id}${applied(r.answer, r.applied, r.rule)}\n`);
  return 0;
}

const SCOPES = {
  'for-run': { type: 'boolean', description: 'the same request is answered so, without asking, until the run ends' },
  for: { type: 'string', value: '1h', description: 'the same request is answered so, without asking, for one hour (until Paddock restarts)' },
} as const;

export const approveCommand: Command = {
  name: 'approve',
  usage: 'paddock approve ID [--always | --for-run | --for 1h]',
  options: { always: { type: 'boolean', description: 'remember: add an allow rule so the same request is not asked again' }, ...SCOPES },
  run: (ctx) => answer(ctx, 'approve'),
};

export const denyCommand: Command = {
  name: 'deny',
  usage: 'paddock deny ID [--always | --for-run | --for 1h]',
  options: { always: { type: 'boolean', description: 'remember: add a deny rule so the same request is refused at once' }, ...SCOPES },
  run: (ctx) => answer(ctx, 'deny'),
};
