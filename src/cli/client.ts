// The client bundle (dist/bundle/client.cjs, one CommonJS file: no ESM loader, no chunks): the
// commands that only talk to a running host (ps, pause, resume, stop, kill, net, approvals,
// approve, deny, and `run` as a guest) run from here without loading the full command line, the
// engine or a parser. Anything else, or anything it is unsure of, returns null and bin/paddock
// runs the full command line (dist/bundle/host.cjs) with the same arguments. Errors are reported
// with this bundle's own classes: an error from the full one never reaches its reportError.
import { approvalsCommand, approveCommand, denyCommand } from './commands/approvals.js';
import { killCommand, netCommand, pauseCommand, psCommand, resumeCommand, stopCommand } from './commands/control.js';
import type { Command } from './command.js';
import { HAND_OVER, runCommand } from './dispatch.js';
import { scanGlobals, type Globals } from './globals.js';
import { processIo, type Io } from './io.js';
import { RUN_SPEC, runIfHosted, type ProfileProblems } from './run-guest.js';
import { mark, now } from './timing.js';

/** What the client asks of the full command line (dist/bundle/host.cjs). */
export interface FullCli {
  profileProblems: ProfileProblems;
}

/**
 * Runs a client command and returns its exit code, or null when the full command line must run
 * this argv (not a client command, a usage error before the command, `--help`, or `run` with no
 * host answering). `loadFull` loads the full command line, for a guest whose profile the host refused.
 */
export async function clientMain(argv: readonly string[], loadFull: () => Promise<FullCli>, io: Io = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const loaded = now();
  let globals: Globals;
  try {
    globals = scanGlobals(argv);
  } catch {
    return null; // the full command line reports it, with its help
  }
  if (globals.action) return null;
  const name = argv[globals.next];
  // Marks (PADDOCK_TIMING) only once this bundle runs the command: a hand-over marks nothing.
  let started = loaded;
  const committed = (): void => {
    mark('cli loaded', loaded);
    mark('command loaded', started);
  };
  let cmd: Command | undefined = name ? CLIENT[name] : undefined;
  if (name === 'run') {
    const problems: ProfileProblems = async (text, file) => (await loadFull()).profileProblems(text, file);
    cmd = {
      ...RUN_SPEC,
      async run(ctx) {
        started = now();
        const hosted = await runIfHosted(ctx, problems, committed);
        if (typeof hosted === 'number') return hosted;
        throw HAND_OVER; // no host: this process becomes one, with the full command line
      },
    };
  } else if (cmd) committed();
  if (!cmd) return null;
  try {
    return await runCommand(cmd, argv.slice(globals.next + 1), globals, io, env);
  } catch (e) {
    if (e === HAND_OVER) return null;
    throw e;
  }
}

const CLIENT: Record<string, Command | undefined> = Object.assign(Object.create(null) as Record<string, Command>, {
  ps: psCommand,
  pause: pauseCommand,
  resume: resumeCommand,
  stop: stopCommand,
  kill: killCommand,
  net: netCommand,
  approvals: approvalsCommand,
  approve: approveCommand,
  deny: denyCommand,
});
