import { parseArgs } from './args.js';
import { formatOptions, type Command } from './command.js';
import type { Globals } from './globals.js';
import { reportError, type Io } from './io.js';

export function commandUsage(cmd: Command): string {
  const opts = Object.keys(cmd.options).length ? `\nOptions:\n${formatOptions(cmd.options)}\n` : '';
  return `usage: ${cmd.usage}\n${cmd.help ? `\n${cmd.help.trim()}\n` : ''}${opts}`;
}

/**
 * What follows a usage error: the command's usage line and where its help is (the whole help after
 * the error buried the one line that says what went wrong), else where to look.
 */
export function usageFor(loaded: Command | undefined): (name?: string) => string {
  return (name) =>
    loaded && loaded.name === name ? `usage: ${loaded.usage}\n(paddock ${loaded.name} --help says more)\n` : 'run `paddock --help` for the list of commands\n';
}

/**
 * Thrown by a command of the client bundle (src/cli/client.ts) that finds it cannot do the work
 * itself (`run` with no host answering): the full command line then runs the same argv. Never
 * reported; only the client's dispatcher catches it.
 */
export const HAND_OVER: unique symbol = Symbol('paddock.hand-over');

/** Runs `cmd` with the arguments after its name: its `--help`, its options, its errors. */
export async function runCommand(cmd: Command, rest: readonly string[], globals: Globals, io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const dashDash = rest.indexOf('--');
    const own = dashDash >= 0 ? rest.slice(0, dashDash) : rest;
    if (own.includes('--help') || own.includes('-h')) {
      io.out(commandUsage(cmd));
      return 0;
    }
    const args = parseArgs(rest, { ...cmd.options, json: { type: 'boolean', description: 'JSON Lines output' } }, cmd.name);
    return await cmd.run({ io, dataDirFlag: globals.dataDirFlag, json: globals.json || args.options.json === true, env, args });
  } catch (e) {
    if (e === HAND_OVER) throw e;
    return reportError(e, io, usageFor(cmd));
  }
}
