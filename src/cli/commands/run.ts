import { ensureDataDir } from '../../core/client/index.js';
import type { Command, CommandContext } from '../command.js';
import { printable } from '../format.js';
import { mark } from '../timing.js';
import { paddockVersion } from '../version.js';
import { profileProblems } from '../profile-problems.js';
import { RUN_SPEC, runIfHosted, validateProfile } from '../run-guest.js';
import { pumpStdio, stdioMode } from '../stdio-guard.js';

export const runCommand: Command = {
  ...RUN_SPEC,
  async run(ctx) {
    const hosted = await runIfHosted(ctx, profileProblems);
    if (typeof hosted === 'number') return hosted;
    mark('no host');
    const { text, file, command, paths } = hosted;
    await validateProfile(text, file, profileProblems);
    mark('profile parsed');
    ensureDataDir(paths.root);
    return runAsHost(ctx, paths.root, text, file, command);
  },
};

async function runAsHost(ctx: CommandContext, dataDir: string, yaml: string, file: string, command: string[] | null): Promise<number> {
  // Only the first host loads the engine: a guest run streams from the host that has it.
  const [{ alertPauseFromEnv, cpuAlertFromEnv, createPaddock, ttyPassphrasePrompt }, { startHost }] = await Promise.all([import('../../core/commands/index.js'), import('../../core/host/index.js')]);
  mark('engine loaded');
  const engine = await createPaddock({ dataDir, passphrasePrompt: ttyPassphrasePrompt(), cpuAlert: cpuAlertFromEnv(ctx.env), alertPause: alertPauseFromEnv(ctx.env) });
  mark('engine created');
  // Threat: stdio redirected to files reopened by the agent through /proc/self/fd (see stdio-guard).
  const stdio = stdioMode();
  let host;
  try {
    host = await startHost(engine, `paddock run ${file}`, paddockVersion());
    engine.prestartLauncher(stdio); // the first start skips the slow part of its launch
    mark('host started');
  } catch (e) {
    engine.closeUnhosted();
    throw e;
  }
  let interrupts = 0;
  let name: string | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1 && name) {
      ctx.io.err(`\npaddock: ${sig}: stopping ${name} (press Ctrl-C again to kill every agent hosted here)\n`);
      void engine.stop(name, `paddock run received ${sig}`).catch(() => undefined);
    } else void engine.killAll(`paddock run received ${sig}`).catch(() => undefined);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    const { profile } = engine.saveProfile(yaml, file);
    name = profile.name;
    mark('profile stored');
    // The agent's stdio is this terminal's (a pipe would change how interactive agents behave):
    // its recording only notes that the output went here. Files are interposed with pipes.
    // What the sandbox changes from the profile (a hidden data dir, a read-only part…) is said before
    // the agent starts (not over its screen), not just logged.
    const onNotes = (notes: readonly string[]): void => notes.forEach((w) => ctx.io.err(`paddock: note: ${printable(w)}\n`));
    const run = await engine.start(profile.name, { command, stdio, record: true, onNotes });
    mark('agent started');
    const pumped = stdio === 'pipe' ? pumpStdio(run) : null;
    const stopNotices = engine.onPauseNotices(profile.name, (line) => ctx.io.err(`${printable(line)}\n`));
    const result = await run.done;
    stopNotices();
    // Every byte of output is written before the exit code (bounded: a stray holder of the pipe cannot stall us).
    if (pumped) await Promise.race([pumped.drained(), new Promise((r) => setTimeout(r, 5000).unref())]);
    mark('agent exited');
    const others = engine.activeAgents();
    if (others.length) {
      ctx.io.err(`paddock: ${name} exited (${result.exitCode}); still hosting ${others.join(', ')} — waiting for them to end\n`);
      await host.waitIdle();
    } else engine.stopPrestarting(); // this process ends with its run: a spare would only be killed
    return result.exitCode;
  } finally {
    for (const s of signals) process.off(s, onSignal);
    await host.close();
    mark('host closed');
    await engine.close();
    mark('engine closed');
  }
}
