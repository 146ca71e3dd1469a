import { PaddockError } from '../shared/errors.js';

/** How a command's options are declared: a boolean flag or an option taking a value. */
export type OptionSpec = Record<string, { type: 'boolean' | 'string'; short?: string; description: string; value?: string }>;

export interface Parsed {
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** Everything after a bare `--` (the agent's command). */
  rest: string[] | null;
}

/** A usage error: printed with the command's usage and exit code 2. */
export class UsageError extends PaddockError {
  constructor(message: string, readonly command?: string) {
    super('E_USAGE', message);
  }
}

/**
 * Parses `args` against `spec`. Options may be given as `--name value`, `--name=value` or `-x value`;
 * a bare `--` ends parsing. Unknown options are usage errors, never silently ignored.
 */
export function parseArgs(args: readonly string[], spec: OptionSpec, command?: string): Parsed {
  const options: Parsed['options'] = {};
  const positionals: string[] = [];
  let rest: string[] | null = null;
  const shorts = new Map(Object.entries(spec).flatMap(([k, v]) => (v.short ? [[v.short, k] as const] : [])));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest = args.slice(i + 1);
      break;
    }
    if (a.startsWith('--') || (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a))) {
      const eq = a.indexOf('=');
      const raw = a.startsWith('--') ? a.slice(2, eq > 0 ? eq : undefined) : a.slice(1);
      const name = a.startsWith('--') ? raw : shorts.get(raw);
      const opt = name ? spec[name] : undefined;
      if (!name || !opt) throw new UsageError(`unknown option ${a.startsWith('--') ? `--${raw}` : a}`, command);
      if (opt.type === 'boolean') {
        if (eq > 0) throw new UsageError(`option --${name} takes no value`, command);
        options[name] = true;
      } else {
        const value = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (value === undefined || value === '') throw new UsageError(`option --${name} needs a value${opt.value ? ` (${opt.value})` : ''}`, command);
        options[name] = value;
      }
      continue;
    }
    positionals.push(a);
  }
  return { options, positionals, rest };
}

/** Checks the number of positional arguments. */
export function expectPositionals(p: Parsed, min: number, max: number, what: string, command: string): void {
  if (p.positionals.length < min) throw new UsageError(`missing ${what}`, command);
  if (p.positionals.length > max) throw new UsageError(`unexpected argument "${p.positionals[max]}"`, command);
}
