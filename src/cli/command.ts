import type { OptionSpec, Parsed } from './args.js';
import type { Io } from './io.js';

/** What every command receives. */
export interface CommandContext {
  io: Io;
  /** `--data-dir` as given, if any (resolution happens in resolveDataDir). */
  dataDirFlag: string | undefined;
  /** `--json`: listings as JSON Lines. */
  json: boolean;
  env: NodeJS.ProcessEnv;
  args: Parsed;
}

/** A CLI command: its usage line, options and what it does. Returns the exit code. */
export interface Command {
  name: string;
  usage: string;
  options: OptionSpec;
  /** Longer help text shown by `paddock CMD --help`. */
  help?: string;
  run(ctx: CommandContext): Promise<number>;
}

export function formatOptions(spec: OptionSpec): string {
  const rows = Object.entries(spec).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(26)} ${o.description}`;
  });
  return rows.join('\n');
}

/**
 * A command as `paddock --help` lists it. Its module is loaded only when the command runs (or its
 * help is asked for): `paddock --version` or `paddock ps` never load the engine, zod or yaml.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}
