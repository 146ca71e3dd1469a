import { parseArgs, UsageError } from './args.js';
import type { Command } from './command.js';
import { formatOptions } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT_USAGE, processIo, reportError, type Io } from './io.js';
import { mark } from './timing.js';
import { paddockVersion } from './version.js';

const GLOBAL_HELP = `Paddock — a dedicated, contained machine for each of your AI agents.

usage: paddock [--data-dir DIR] [--json] COMMAND [OPTIONS] [ARGS]

Global options (before the command):
  --data-dir DIR             where Paddock keeps its database, agents and sockets
                             (default: $PADDOCK_HOME, else the platform's app-data folder "Paddock")
  --json                     print listings as JSON Lines
  -h, --help                 show this help (or: paddock COMMAND --help)
  -V, --version              print the version
`;

function commandUsage(cmd: Command): string {
  const opts = Object.keys(cmd.options).length ? `\nOptions:\n${formatOptions(cmd.options)}\n` : '';
  return `usage: ${cmd.usage}\n${cmd.help ? `\n${cmd.help.trim()}\n` : ''}${opts}`;
}

export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width + 2)} ${c.summary}`).join('\n');
  return `${GLOBAL_HELP}\nCommands:\n${list}\n`;
}

/** The usage of a loaded command (a usage error names only the command that runs), else where to look. */
function usageFor(loaded: Command | undefined): (name?: string) => string {
  return (name) =>
    loaded && loaded.name === name ? `${commandUsage(loaded)}(see paddock ${loaded.name} --help)\n` : 'run `paddock --help` for the list of commands\n';
}

/** The command-line entry: returns the process exit code. Never throws, never prints a stack trace. */
export async function main(argv: readonly string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let dataDirFlag: string | undefined;
  let json = false;
  let i = 0;
  let cmd: Command | undefined;
  mark('cli loaded');
  try {
    for (; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--data-dir' || a.startsWith('--data-dir=')) {
        dataDirFlag = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
        if (!dataDirFlag) throw new UsageError('option --data-dir needs a value (DIR)');
      } else if (a === '--json') json = true;
      else if (a === '-h' || a === '--help') {
        io.out(globalHelp());
        return 0;
      } else if (a === '-V' || a === '--version') {
        io.out(`paddock ${paddockVersion()}\n`);
        return 0;
      } else if (a.startsWith('-')) throw new UsageError(`unknown global option ${a}`);
      else break;
    }
    const name = argv[i];
    if (!name) {
      io.err(globalHelp());
      return EXIT_USAGE;
    }
    if (name === 'help') {
      const topic = COMMANDS.find((c) => c.name === argv[i + 1]);
      io.out(topic ? commandUsage(await topic.load()) : globalHelp());
      return 0;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) throw new UsageError(`unknown command "${name}"`);
    cmd = await entry.load();
    mark('command loaded');
    const rest = argv.slice(i + 1);
    const dashDash = rest.indexOf('--');
    const own = dashDash >= 0 ? rest.slice(0, dashDash) : rest;
    if (own.includes('--help') || own.includes('-h')) {
      io.out(commandUsage(cmd));
      return 0;
    }
    const args = parseArgs(rest, { ...cmd.options, json: { type: 'boolean', description: 'JSON Lines output' } }, cmd.name);
    return await cmd.run({ io, dataDirFlag, json: json || args.options.json === true, env, args });
  } catch (e) {
    return reportError(e, io, usageFor(cmd));
  }
}
