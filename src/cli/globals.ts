import { UsageError } from './args.js';

/** The global options, read before the command name (`paddock [--data-dir DIR] [--json] COMMAND …`). */
export interface Globals {
  dataDirFlag: string | undefined;
  json: boolean;
  /** Where the command name is in argv (argv.length when there is none). */
  next: number;
  /** `-h`/`--help` or `-V`/`--version` met before any command: answered at once, the rest ignored. */
  action: 'help' | 'version' | null;
}

/**
 * Reads the global options up to the command name. bin/paddock answers `--version` itself with a
 * copy of this loop (it loads no bundle for it): keep the two alike (test/cli/client.int.test.ts
 * compares them).
 */
export function scanGlobals(argv: readonly string[]): Globals {
  let dataDirFlag: string | undefined;
  let json = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data-dir' || a.startsWith('--data-dir=')) {
      dataDirFlag = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!dataDirFlag) throw new UsageError('option --data-dir needs a value (DIR)');
    } else if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') return { dataDirFlag, json, next: i, action: 'help' };
    else if (a === '-V' || a === '--version') return { dataDirFlag, json, next: i, action: 'version' };
    else if (a.startsWith('-')) throw new UsageError(`unknown global option ${a}`);
    else break;
  }
  return { dataDirFlag, json, next: i, action: null };
}
