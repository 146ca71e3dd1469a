import type { PaddockEvent } from '../../shared/events.schema.js';
import { AGENT_NAME_RE } from '../../shared/names.js';
import { openEventLog } from '../../core/commands/offline/index.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { cliPaths } from '../host-client.js';
import { jsonLine, printable, quoted } from '../format.js';

const SKIP = new Set(['id', 'ts', 'agent', 'kind', 'run']);

/** One readable line per event: time, agent, kind, then the kind's fields. */
export function formatEvent(e: PaddockEvent): string {
  const fields = Object.entries(e)
    .filter(([k, v]) => !SKIP.has(k) && v !== undefined)
    // Agent-chosen text (hosts, paths, details) never reaches the terminal raw (see `quoted`).
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/[\s\p{C}\u2028\u2029]/u.test(v) ? quoted(v) : v) : printable(JSON.stringify(v))}`)
    .join(' ');
  return `${e.ts}  ${(e.agent ?? '-').padEnd(12)}  ${e.kind.padEnd(16)}  ${fields}`;
}

function openLog(ctx: CommandContext) {
  return openEventLog(cliPaths(ctx));
}

export const eventsCommand: Command = {
  name: 'events',
  usage: 'paddock events [--agent A] [--kind PREFIX] [--limit N] [--follow] [--all] [--json]',
  help: 'Prints the latest events, oldest first. --kind net. selects net.allow/net.deny/net.ask. --follow keeps printing new events until Ctrl-C. Paddock\'s own helper processes (the network bridge) are left out unless --all.',
  options: {
    agent: { type: 'string', value: 'NAME', description: "only this agent's events" },
    kind: { type: 'string', value: 'PREFIX', description: 'only kinds starting with PREFIX (net., run.exit, alert)' },
    limit: { type: 'string', value: 'N', description: 'how many of the latest events (default 200)' },
    follow: { type: 'boolean', short: 'f', description: 'keep printing new events' },
    all: { type: 'boolean', description: "include Paddock's own helper processes (proc.exec marked paddock: true)" },
  },
  async run(ctx) {
    expectPositionals(ctx.args, 0, 0, '', 'events');
    const agent = ctx.args.options.agent as string | undefined;
    if (agent !== undefined && !AGENT_NAME_RE.test(agent)) throw new UsageError(`"${agent}" is not a valid agent name`, 'events');
    const kindPrefix = ctx.args.options.kind as string | undefined;
    const limitRaw = ctx.args.options.limit as string | undefined;
    const limit = limitRaw === undefined ? 200 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be a whole number from 1 to 100000', 'events');
    const log = await openLog(ctx);
    const all = ctx.args.options.all === true;
    const print = (e: PaddockEvent): void => {
      if (!all && (e as { paddock?: unknown }).paddock === true) return;
      ctx.io.out(`${ctx.json ? jsonLine(e) : formatEvent(e)}\n`);
    };
    try {
      const latest = log.query({ agent, kindPrefix, limit, order: 'desc' }).reverse();
      latest.forEach(print);
      if (!ctx.args.options.follow) return 0;
      let last = log.latestId();
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          clearInterval(timer);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        const timer = setInterval(() => {
          const fresh = log.query({ agent, kindPrefix, afterId: last, limit: 10_000, order: 'asc' });
          fresh.forEach(print);
          last = Math.max(last, log.latestId());
        }, 200);
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      return 0;
    } finally {
      log.close();
    }
  },
};

export const logCommand: Command = {
  name: 'log',
  usage: 'paddock log verify',
  options: {},
  async run(ctx) {
    expectPositionals(ctx.args, 1, 1, 'a subcommand (verify)', 'log');
    if (ctx.args.positionals[0] !== 'verify') throw new UsageError(`unknown subcommand "log ${ctx.args.positionals[0]}" (did you mean paddock log verify?)`, 'log');
    const log = await openLog(ctx);
    try {
      const r = log.verify();
      if (ctx.json) ctx.io.out(`${jsonLine(r)}\n`);
      else if (r.ok) ctx.io.out(`log ok: ${r.count} events, hash chain intact${r.count > 0 ? `; ${r.message.split('; ').slice(1).join('; ')}` : ''}\n`);
      else ctx.io.err(`paddock: log verification failed: ${r.message}\n`);
      return r.ok ? 0 : 1;
    } finally {
      log.close();
    }
  },
};
