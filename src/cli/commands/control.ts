import { AGENT_NAME_RE } from '../../shared/names.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { formatBytes, formatDuration, jsonLine, listing, NO_HEADER } from '../format.js';
import { callHost } from '../host-client.js';

function agentName(ctx: CommandContext, command: string): string {
  expectPositionals(ctx.args, 1, 1, 'NAME (the agent)', command);
  const name = ctx.args.positionals[0]!;
  if (!AGENT_NAME_RE.test(name)) throw new UsageError(`"${name}" is not a valid agent name`, command);
  return name;
}

export const psCommand: Command = {
  name: 'ps',
  usage: 'paddock ps [--json] [--no-header]',
  help: 'One line per run: NAME RUN STATE PIDS CPU MEM UPTIME (PIDS: the host pids of every process of the run, comma-separated), under a header row.',
  options: { ...NO_HEADER },
  async run(ctx) {
    expectPositionals(ctx.args, 0, 0, '', 'ps');
    const runs = await callHost(ctx, 'runs:list', undefined);
    if (ctx.json) {
      // `name` as the NAME column is called (PRODUCT.md's ps columns), beside `agent` as events and approvals say it.
      for (const r of runs) ctx.io.out(`${jsonLine({ name: r.agent, ...r, learning: r.learning === true, uptime: Math.round((Date.now() - Date.parse(r.started)) / 1000) })}
`);
      return 0;
    }
    // The line format is a contract other tools parse: learning is told on stderr, never as a column.
    const learning = runs.filter((r) => r.learning === true).map((r) => r.agent);
    if (learning.length) ctx.io.err(`paddock: learning mode: ${learning.join(', ')} (asks for public hosts are allowed and recorded; paddock learn NAME off)\n`);
    const rows = runs.map((r) => [r.agent, r.run, r.state, r.pids.join(',') || '-', `${(r.cpu * 100).toFixed(1)}%`, formatBytes(r.memory), formatDuration(Date.now() - Date.parse(r.started))]);
    ctx.io.out(listing(['NAME', 'RUN', 'STATE', 'PIDS', 'CPU', 'MEM', 'UPTIME'], rows, ctx.args.options['no-header'] === true));
    return 0;
  },
};

function simple(name: 'pause' | 'resume' | 'stop', done: string): Command {
  const channel = `runs:${name}` as const;
  return {
    name,
    usage: `paddock ${name} NAME`,
    options: {},
    async run(ctx) {
      const agent = agentName(ctx, name);
      await callHost(ctx, channel, { name: agent });
      ctx.io.out(`${done} ${agent}\n`);
      return 0;
    },
  };
}

export const pauseCommand = simple('pause', 'paused');
export const resumeCommand = simple('resume', 'resumed');
export const stopCommand = simple('stop', 'stopped');

export const killCommand: Command = {
  name: 'kill',
  usage: 'paddock kill NAME | paddock kill --all',
  options: { all: { type: 'boolean', description: 'kill every agent of this host' } },
  async run(ctx) {
    if (ctx.args.options.all) {
      expectPositionals(ctx.args, 0, 0, '', 'kill');
      await callHost(ctx, 'runs:killAll', undefined);
      ctx.io.out('killed all agents\n');
      return 0;
    }
    const agent = agentName(ctx, 'kill');
    await callHost(ctx, 'runs:kill', { name: agent });
    ctx.io.out(`killed ${agent}\n`);
    return 0;
  },
};

export const netCommand: Command = {
  name: 'net',
  usage: 'paddock net NAME on|off',
  options: {},
  async run(ctx) {
    expectPositionals(ctx.args, 2, 2, 'NAME and on|off', 'net');
    const [agent, sw] = ctx.args.positionals as [string, string];
    if (!AGENT_NAME_RE.test(agent)) throw new UsageError(`"${agent}" is not a valid agent name`, 'net');
    if (sw !== 'on' && sw !== 'off') throw new UsageError(`the switch is on or off, not "${sw}"`, 'net');
    const r = await callHost(ctx, 'net:set', { name: agent, on: sw === 'on' });
    ctx.io.out(`network ${sw} for ${agent}${!r.live ? ' (it was started offline: the network comes on at its next start)' : ''}\n`);
    return 0;
  },
};
