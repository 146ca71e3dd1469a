import { ensureDataDir } from '../../core/client/index.js';
import { listQuarantined, restoreQuarantined } from '../../core/commands/offline/index.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { jsonLine, printable, table } from '../format.js';
import { cliPaths } from '../host-client.js';

export const quarantineCommand: Command = {
  name: 'quarantine',
  usage: 'paddock quarantine [restore ID] [--json]',
  help: `After each run, git settings, .git files and hooks that the agent planted in a writable folder
and that would run a program when you use git there are moved to <data-dir>/quarantine (an alert
of type git-plant says so). Without arguments this lists them; "restore ID" puts one back where it
was, once you have reviewed it (it then runs with your git again).`,
  options: {},
  async run(ctx) {
    expectPositionals(ctx.args, 0, 2, '', 'quarantine');
    const [sub, id] = ctx.args.positionals;
    const paths = cliPaths(ctx);
    ensureDataDir(paths.root);
    if (sub === undefined) {
      const items = await listQuarantined(paths.root);
      if (ctx.json) for (const i of items) ctx.io.out(`${jsonLine(i)}\n`);
      else if (!items.length) ctx.io.out('nothing in quarantine\n');
      else ctx.io.out(table([['ID', 'AGENT', 'RUN', 'WHEN', 'PATH', 'WHY'], ...items.map((i) => [i.id, i.agent, i.run, i.ts, i.path, i.reasons.join('; ')])]));
      return 0;
    }
    if (sub !== 'restore' || id === undefined) throw new UsageError('usage: paddock quarantine [restore ID]', 'quarantine');
    const item = await restoreQuarantined(paths, id);
    ctx.io.out(`restored ${printable(item.path)}\n`);
    return 0;
  },
};
