import type { LearnApplied, LearnProposal, LearnState } from '../../shared/learn.js';
import { AGENT_NAME_RE } from '../../shared/names.js';
import { connectControl } from '../../core/client/index.js';
import { describeTransitions, learnOffline, type LearnAction } from '../../core/commands/index.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { jsonLine, printable } from '../format.js';
import { cliPaths } from '../host-client.js';

type Outcome = { state: LearnState; proposal?: LearnProposal; applied?: LearnApplied };

/** Runs the action through the host when one runs (live), else on the store. */
async function perform(ctx: CommandContext, name: string, action: LearnAction): Promise<Outcome> {
  const paths = cliPaths(ctx);
  const client = await connectControl(paths.socket);
  if (client) {
    try {
      return (await client.call('learn', { name, action })) as Outcome;
    } finally {
      client.close();
    }
  }
  return learnOffline(paths, name, action);
}

const WHAT =
  'asks for public hosts are allowed and recorded; private, loopback, link-local and metadata addresses, host.paddock.internal and every deny rule still hold';

/** The proposal as text: the diff, the simulator over the learned history, and what was left out. */
export function proposalText(p: LearnProposal): string {
  const out: string[] = [];
  out.push(`learning period of ${p.agent}: ${p.since ?? '?'} – ${p.until ?? 'now (still learning)'}; ${p.considered} events read`);
  if (p.diff) out.push('', p.diff.trimEnd());
  else out.push('', 'no rule to propose: everything the agent used is already allowed (or cannot be allowed; see below)');
  const sim = describeTransitions(p.simulation.transitions);
  if (p.simulation.changes.length) {
    out.push('', 'what the proposal would have decided over the learned history:');
    for (const s of sim) out.push(`  ${s}`);
    for (const c of p.simulation.changes.slice(0, 50)) {
      const d = (x: { effect: string; rule: string | null; line: number | null }) => `${x.effect}${x.rule ? ` (${x.rule}${x.line !== null ? `, line ${x.line}` : ''})` : ' (default)'}`;
      out.push(`  ${printable(c.host)}:${c.port}  ${d(c.before)} -> ${d(c.after)}  x${c.count}`);
    }
  }
  if (p.rules.some((r) => r.denied)) out.push('', 'rules marked "was denied while learning": the agent was refused these; allow them only if you expect it');
  if (p.notProposed.length) {
    out.push('', 'seen but not proposed:');
    for (const n of p.notProposed) out.push(`  ${printable(n.target)}: ${n.why}`);
  }
  out.push('', `programs it ran (exec is allowed by default; information only): ${p.programs.length ? p.programs.map((x) => `${printable(x.program)} x${x.count}`).join(', ') : 'none seen'}`);
  out.push(`writes outside its workspace and home: ${p.writes.length ? p.writes.map(printable).join(', ') : 'none seen'}`);
  out.push(`what the learner cannot see: ${p.unobservable}`);
  return `${out.join('\n')}\n`;
}

export const learnCommand: Command = {
  name: 'learn',
  usage: 'paddock learn NAME [on|off] | paddock learn NAME --suggest | --apply | --discard',
  help: `Learning mode: while it is on, ${WHAT}.
"off" ends the period and prints the proposed profile change (a diff) with what it would have
decided over the learned history; nothing is changed until you run "paddock learn NAME --apply".
Without a running host the switch is stored and applies at the agent's next start.`,
  options: {
    suggest: { type: 'boolean', description: 'print the proposed profile change (changes nothing)' },
    apply: { type: 'boolean', description: 'write the proposed rules into the profile (learning must be off)' },
    discard: { type: 'boolean', description: 'forget the learning period without changing the profile' },
  },
  async run(ctx) {
    expectPositionals(ctx.args, 1, 2, 'NAME [on|off]', 'learn');
    const [name, sw] = ctx.args.positionals as [string, string | undefined];
    if (!AGENT_NAME_RE.test(name)) throw new UsageError(`"${name}" is not a valid agent name`, 'learn');
    const flags = (['suggest', 'apply', 'discard'] as const).filter((f) => ctx.args.options[f] === true);
    if (flags.length + (sw === undefined ? 0 : 1) > 1) throw new UsageError('give one of on, off, --suggest, --apply, --discard', 'learn');
    if (sw !== undefined && sw !== 'on' && sw !== 'off') throw new UsageError(`the switch is on or off, not "${sw}"`, 'learn');
    const action: LearnAction = sw ?? flags[0] ?? 'status';
    const r = await perform(ctx, name, action);
    if (ctx.json) {
      ctx.io.out(`${jsonLine(r)}\n`);
      return 0;
    }
    if (action === 'on') ctx.io.out(`learning on for ${name}: ${WHAT}\nturn it off to see the proposed rules: paddock learn ${name} off\n`);
    else if (action === 'status') ctx.io.out(`${name}: learning ${r.state.on ? `on since ${r.state.since}` : 'off'}${!r.state.on && r.state.since ? ` (a period from ${r.state.since} to ${r.state.until} waits: paddock learn ${name} --suggest)` : ''}\n`);
    else if (action === 'discard') ctx.io.out(`discarded the learning period of ${name}; the profile is unchanged\n`);
    else if (action === 'apply' && r.applied) {
      if (r.proposal) ctx.io.out(`${r.proposal.diff.trimEnd()}\n`);
      ctx.io.out(`added ${r.applied.rules.length} rule${r.applied.rules.length === 1 ? '' : 's'} to ${name}'s profile${r.applied.file ? ` and to ${printable(r.applied.file)}` : ''}\n`);
      if (r.applied.note) ctx.io.err(`paddock: ${r.applied.note}\n`);
    } else {
      if (action === 'off') ctx.io.out(`learning off for ${name}\n`);
      if (r.proposal) {
        ctx.io.out(proposalText(r.proposal));
        if (r.proposal.rules.length && !r.state.on) ctx.io.out(`\napply it: paddock learn ${name} --apply   (or edit the rules yourself; discard: paddock learn ${name} --discard)\n`);
      }
    }
    return 0;
  },
};
