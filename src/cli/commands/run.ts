import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import { connectControl, ensureDataDir, type ControlClient } from '../../core/client/index.js';
import { expectPositionals } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { cliPaths } from '../host-client.js';
import { printable } from '../format.js';
import { EXIT_PADDOCK } from '../io.js';
import { mark } from '../timing.js';
import { paddockVersion } from '../version.js';
import { readProfileFile } from '../profile-file.js';
import { pumpStdio, stdioMode } from '../stdio-guard.js';

export const runCommand: Command = {
  name: 'run',
  usage: 'paddock run PROFILE [-- CMD ARGS…]',
  help: `Runs the agent in its sandbox with its stdio passed through (files are passed through pipes). Exit code: the agent's, 128+N when
a signal N ended it, 125 when Paddock itself failed. If a Paddock host already runs for this data
dir, the agent is started there and its output streamed here. Ctrl-C stops the agent politely
(SIGTERM, then SIGKILL after 10 s); a second Ctrl-C kills it.`,
  options: {},
  async run(ctx) {
    expectPositionals(ctx.args, 1, 1, 'PROFILE (the path of a YAML profile)', 'run');
    const file = ctx.args.positionals[0]!;
    const read = readProfileFile(file);
    if ('error' in read) throw new PaddockError('E_PROFILE_INVALID', read.error);
    const command = ctx.args.rest && ctx.args.rest.length ? ctx.args.rest : null;
    const paths = cliPaths(ctx);
    // A running host validates the profile itself, so a guest loads no parser (zod, yaml): only
    // when the host refuses the profile is it parsed here, to name the file as the user typed it.
    let existing: ControlClient | null = null;
    if (existsSync(paths.socket)) {
      ensureDataDir(paths.root); // checked (owner, mode, no symlinks) before its socket is trusted
      existing = await connectControl(paths.socket);
    }
    mark(existing ? 'host found' : 'no host');
    if (existing) return runAsGuest(ctx, existing, read.text, file, command);
    await validateProfile(read.text, file);
    mark('profile parsed');
    ensureDataDir(paths.root);
    return runAsHost(ctx, paths.root, read.text, file, command);
  },
};

/** Throws E_PROFILE_INVALID with the positions of every problem, naming the file as given. */
async function validateProfile(text: string, file: string): Promise<void> {
  const { parseProfile } = await import('../../core/agents/profile.js');
  const parsed = parseProfile(text, file, { home: homedir() });
  if (!parsed.profile || parsed.diagnostics.length)
    throw new PaddockError('E_PROFILE_INVALID', `${file} is not a valid profile; fix it (paddock check ${file}) and try again`, parsed.diagnostics);
}

async function runAsHost(ctx: CommandContext, dataDir: string, yaml: string, file: string, command: string[] | null): Promise<number> {
  // Only the first host loads the engine: a guest run streams from the host that has it.
  const [{ cpuAlertFromEnv, createPaddock, ttyPassphrasePrompt }, { startHost }] = await Promise.all([import('../../core/commands/index.js'), import('../../core/host/index.js')]);
  mark('engine loaded');
  const engine = await createPaddock({ dataDir, passphrasePrompt: ttyPassphrasePrompt(), cpuAlert: cpuAlertFromEnv(ctx.env) });
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
      void engine.stop(name).catch(() => undefined);
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
    const run = await engine.start(profile.name, { command, stdio, record: true });
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

async function runAsGuest(ctx: CommandContext, client: ControlClient, yaml: string, file: string, command: string[] | null): Promise<number> {
  const refused = await new Promise<number | { code: string; message: string }>((done) => {
    let finished = false;
    const finish = (result: number | { code: string; message: string }): void => {
      if (finished) return;
      finished = true;
      process.stdin.unref?.();
      client.close();
      done(result);
    };
    const id = client.stream('run', { yaml, source: resolve(file), command, cwd: process.cwd() }, (msg) => {
      if ('stream' in msg) (msg.stream === 'stdout' ? process.stdout : process.stderr).write(Buffer.from(msg.data, 'base64'));
      else if ('alert' in msg) ctx.io.err(`${printable(msg.alert)}\n`);
      else if ('exit' in msg) {
        mark('agent exited');
        finish(msg.exit.exitCode);
      } else if ('ok' in msg && !msg.ok) {
        if (finished) return; // the host closing our socket after the exit message is not an error
        finish(msg.error);
      }
    });
    process.stdin.on('data', (d: Buffer) => client.send({ id, stdin: d.toString('base64') }));
    process.stdin.on('end', () => client.send({ id, stdinEnd: true }));
    mark('run sent');
    const forward = (sig: NodeJS.Signals): void => client.send({ id, signal: sig === 'SIGINT' ? 'SIGINT' : 'SIGTERM' });
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
  });
  if (typeof refused === 'number') return refused;
  // The host names the file by its absolute path and sends no positions: show them as `check` would.
  if (refused.code === 'E_PROFILE_INVALID') await validateProfile(yaml, file);
  ctx.io.err(`paddock: ${refused.message}\n`);
  return EXIT_PADDOCK;
}
