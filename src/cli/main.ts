import { UsageError } from './args.js';
import { COMMANDS } from './commands/index.js';
import { commandUsage, runCommand, usageFor } from './dispatch.js';
import { scanGlobals } from './globals.js';
import { EXIT_USAGE, processIo, reportError, type Io } from './io.js';
import { mark } from './timing.js';
import { paddockVersion } from './version.js';

// What the client bundle (src/cli/client.ts) asks of the full command line when a guest's profile is refused.
export { profileProblems } from './profile-problems.js';

/** The commands' names: bin/paddock's loader keeps a code cache for these only (src/cli/host-loader.ts). */
export const COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.name);

const GLOBAL_HELP = `Paddock — a dedicated, contained machine for each of your AI agents.

usage: paddock [--data-dir DIR] [--json] COMMAND [OPTIONS] [ARGS]

Global options (before the command):
  --data-dir DIR             where Paddock keeps its database, agents and sockets
                             (default: $PADDOCK_HOME, else the platform's app-data folder "Paddock")
  --json                     print listings as JSON Lines
  -h, --help                 show this help (or: paddock COMMAND --help)
  -V, --version              print the version
`;

export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width + 2)} ${c.summary}`).join('\n');
  return `${GLOBAL_HELP}\nCommands:\n${list}\n`;
}

/** The command-line entry: returns the process exit code. Never throws, never prints a stack trace. */
export async function main(argv: readonly string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  mark('cli loaded');
  try {
    const globals = scanGlobals(argv);
    if (globals.action === 'help') {
      io.out(globalHelp());
      return 0;
    }
    if (globals.action === 'version') {
      io.out(`paddock ${paddockVersion()}\n`);
      return 0;
    }
    const i = globals.next;
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
    const cmd = await entry.load();
    mark('command loaded');
    return await runCommand(cmd, argv.slice(i + 1), globals, io, env);
  } catch (e) {
    return reportError(e, io, usageFor(undefined));
  }
}
