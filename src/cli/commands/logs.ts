import { readFileSync } from 'node:fs';
import { PaddockError } from '../../shared/errors.js';
import { AGENT_NAME_RE, RUN_ID_RE } from '../../shared/names.js';
import { plainText } from '../../shared/terminal-text.js';
import { connectControl } from '../../core/client/index.js';
import type { RunLogSlice } from '../../shared/api.js';
import { runLogs } from '../../core/commands/offline/index.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { formatBytes, jsonLine, listing, NO_HEADER } from '../format.js';
import { cliPaths } from '../host-client.js';

/** Is the run still running on this data dir's host? (No host: nothing can be running.) */
async function stillRunning(ctx: CommandContext, agent: string, run: string): Promise<boolean> {
  const client = await connectControl(cliPaths(ctx).socket);
  if (!client) return false;
  try {
    const runs = await client.call('runs:list', undefined);
    return runs.some((r) => r.agent === agent && r.run === run);
  } catch {
    return false;
  } finally {
    client.close();
  }
}

export const logsCommand: Command = {
  name: 'logs',
  usage: 'paddock logs NAME [--run ID] [--follow] [--cast] [--list]',
  help: `Prints what the agent wrote to stdout and stderr in its latest run (or run ID), as recorded in
the data dir: runs started from the app, the web console or a paddock run that found a host
running. Secret values delivered to the run are shown as [secret NAME]. Each run keeps its last
10 MiB; the last 20 runs of each agent are kept. Escape sequences are removed (colours kept on a
terminal). --follow keeps printing a live run's output until it ends. --cast prints the recording
as an asciicast v2 file (asciinema play run.cast). A run started by paddock run with no host
running wrote to that terminal only.`,
  options: {
    run: { type: 'string', value: 'ID', description: 'this run (see --list) instead of the latest' },
    follow: { type: 'boolean', short: 'f', description: 'keep printing until the run ends' },
    cast: { type: 'boolean', description: 'print the recording as an asciicast v2 file' },
    list: { type: 'boolean', description: 'list the recorded runs, newest first: RUN STARTED EXIT SIZE (EXIT - while running)' },
    ...NO_HEADER,
  },
  async run(ctx) {
    expectPositionals(ctx.args, 1, 1, 'NAME (the agent)', 'logs');
    const agent = ctx.args.positionals[0]!;
    if (!AGENT_NAME_RE.test(agent)) throw new UsageError(`"${agent}" is not a valid agent name`, 'logs');
    const run = ctx.args.options.run as string | undefined;
    if (run !== undefined && !RUN_ID_RE.test(run)) throw new UsageError(`"${run}" is not a run id (they look like r-1a2b3c4d; see paddock logs ${agent} --list)`, 'logs');
    const follow = ctx.args.options.follow === true;
    if (ctx.args.options.cast && follow) throw new UsageError('--cast exports a recording; use it without --follow (after the run, or for what is recorded so far)', 'logs');
    const logs = await runLogs(cliPaths(ctx), agent);
    if (ctx.args.options.list) {
      const runs = logs.list();
      if (ctx.json) for (const r of runs) ctx.io.out(`${jsonLine(r)}\n`);
      else {
        // No exit code: still running, or its host died before the run ended (the file cannot tell).
        const exit = (r: (typeof runs)[number]): string => (r.exitCode === null ? '-' : String(r.exitCode));
        ctx.io.out(listing(['RUN', 'STARTED', 'EXIT', 'SIZE'], runs.map((r) => [r.run, r.started, exit(r), r.stdio === 'terminal' ? '(terminal)' : formatBytes(r.size)]), ctx.args.options['no-header'] === true));
      }
      return 0;
    }
    const file = logs.file(run);
    if (ctx.args.options.cast) {
      const text = readFileSync(file, 'utf8');
      ctx.io.out(text.slice(0, text.lastIndexOf('\n') + 1)); // complete lines only (a live run may be mid-line)
      return 0;
    }
    // Threat: escape sequences in the agent's output acting on the user's terminal (clipboard, title, overwriting lines).
    const keepColor = process.stdout.isTTY === true && !ctx.env.NO_COLOR;
    const show = (s: RunLogSlice): void => {
      if (s.text) ctx.io.out(plainText(s.text, { keepColor }));
    };
    let slice = logs.read(file, { max: Number.MAX_SAFE_INTEGER });
    if (slice.stdio === 'terminal') {
      ctx.io.err(`paddock: run ${slice.run} of ${agent} was started by paddock run with no host running: its output went to that terminal and was not recorded\n`);
      return 0;
    }
    if (slice.truncated) ctx.io.err(`paddock: older output of run ${slice.run} was dropped (each run keeps its last 10 MiB)\n`);
    show(slice);
    if (!follow || slice.exitCode !== null) return 0;
    const id = slice.run;
    await new Promise<void>((resolve) => {
      let checks = 0;
      let busy = false;
      const stop = (): void => {
        clearInterval(timer);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        void (async () => {
          slice = logs.read(file, { since: slice.next, max: Number.MAX_SAFE_INTEGER });
          if (slice.truncated) ctx.io.err(`\npaddock: some output was dropped while following (the run writes faster than it is read)\n`);
          show(slice);
          if (slice.exitCode !== null) return stop();
          // About once a second: a run whose host went away (or that ended unrecorded) ends the follow.
          if (++checks % 5 === 0 && !(await stillRunning(ctx, agent, id))) {
            show((slice = logs.read(file, { since: slice.next, max: Number.MAX_SAFE_INTEGER })));
            return stop();
          }
        })()
          .catch((e: unknown) => {
            ctx.io.err(`paddock: ${e instanceof PaddockError ? e.message : String(e)}\n`);
            stop();
          })
          .finally(() => (busy = false));
      }, 200);
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
