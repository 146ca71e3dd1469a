import { PaddockError } from '../../shared/errors.js';
import { AGENT_NAME_RE } from '../../shared/names.js';
import { connectControl, ensureDataDir, type ControlClient } from '../../core/client/index.js';
import { createPaddock, defaultShellCommand, formatLoginRecipes, ttyPassphrasePrompt } from '../../core/commands/index.js';
import { startHost } from '../../core/host/index.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { printable } from '../format.js';
import { cliPaths } from '../host-client.js';
import { EXIT_PADDOCK } from '../io.js';
import { pumpStdio, stdioMode } from '../stdio-guard.js';
import { paddockVersion } from '../version.js';

export const shellCommand: Command = {
  name: 'shell',
  usage: 'paddock shell NAME [-- CMD ARGS…]',
  help: `Opens an interactive terminal in a fresh run of the agent's sandbox: the same home, workspace,
folders, rules, secrets and network switch as the agent itself. Logins made here (claude, gh,
codex, git config, ssh keys) land in the agent's home, never in yours. Default command: your
shell ($SHELL) if it exists inside, else bash, else sh, as a login shell.

The session is a run like any other: it shows in paddock ps and the activity log, can be paused
and killed, and its asks go to paddock approvals. An agent runs once at a time: if it is already
running, stop it first (paddock stop NAME or paddock kill NAME). Exit code: the program's.

Signing agents in (turn the network on first: paddock net NAME on, or network: on in the profile;
add the suggested rules to the profile):

${formatLoginRecipes()}`,
  options: {},
  async run(ctx) {
    expectPositionals(ctx.args, 1, 1, 'NAME (the agent)', 'shell');
    const name = ctx.args.positionals[0]!;
    if (!AGENT_NAME_RE.test(name)) throw new UsageError(`"${name}" is not a valid agent name`, 'shell');
    const command = ctx.args.rest && ctx.args.rest.length ? ctx.args.rest : null;
    const paths = cliPaths(ctx);
    ensureDataDir(paths.root);
    const existing = await connectControl(paths.socket);
    if (existing) return shellAsGuest(ctx, existing, name, command);
    return shellAsHost(ctx, paths.root, name, command);
  },
};

/**
 * No host running: this process hosts the engine and the program inherits the user's real
 * terminal (tty: true keeps its controlling terminal; seccomp blocks TIOCSTI/TIOCLINUX), so
 * colours, line editing, Ctrl-C and window resizes work natively.
 */
async function shellAsHost(ctx: CommandContext, dataDir: string, name: string, command: string[] | null): Promise<number> {
  const engine = await createPaddock({ dataDir, passphrasePrompt: ttyPassphrasePrompt() });
  // Threat: stdio redirected to files reopened by the agent through /proc/self/fd (see stdio-guard).
  const stdio = stdioMode();
  let host;
  try {
    engine.loadAgent(name); // E_NOT_FOUND before taking the host lock
    host = await startHost(engine, `paddock shell ${name}`, paddockVersion());
    engine.prestartLauncher(stdio); // the first start skips the slow part of its launch
  } catch (e) {
    await engine.close();
    throw e;
  }
  // Ctrl-C, Ctrl-\ and Ctrl-Z are for the program inside (the terminal sends them to us too).
  const ignore = (): void => undefined;
  const quiet: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGTSTP'];
  // Threat: the terminal closing (SIGHUP) or a kill of this process leaving the session unsupervised.
  const end = (): void => void engine.kill(name, 'the paddock shell hosting it was stopped').catch(() => undefined);
  const fatal: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
  for (const s of quiet) process.on(s, ignore);
  for (const s of fatal) process.on(s, end);
  try {
    const tty = stdio === 'inherit' && process.stdin.isTTY === true;
    const run = await engine.start(name, { command: command ?? defaultShellCommand(ctx.env.SHELL), stdio, tty });
    const pumped = stdio === 'pipe' ? pumpStdio(run) : null;
    // The terminal may be in raw mode (the shell's): each notice starts and ends its own line.
    const stopNotices = engine.onPauseNotices(name, (line) => ctx.io.err(`\r\n${printable(line)}\r\n`));
    const result = await run.done;
    stopNotices();
    if (pumped) await Promise.race([pumped.drained(), new Promise((r) => setTimeout(r, 5000).unref())]);
    const others = engine.activeAgents();
    if (others.length) {
      ctx.io.err(`paddock: the shell in ${name} ended (${result.exitCode}); still hosting ${others.join(', ')} — waiting for them to end\n`);
      await host.waitIdle();
    } else engine.stopPrestarting(); // this process ends with its run: a spare would only be killed
    return result.exitCode;
  } finally {
    for (const s of quiet) process.off(s, ignore);
    for (const s of fatal) process.off(s, end);
    await host.close();
    await engine.close();
  }
}

/**
 * A host already runs: it makes a pty inside the sandbox and streams bytes here. Our terminal goes
 * into raw mode so every key (Ctrl-C included) reaches the program inside; SIGWINCH sends the size.
 */
async function shellAsGuest(ctx: CommandContext, client: ControlClient, name: string, command: string[] | null): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const size = (): { cols: number; rows: number } => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const raw = stdin.isTTY === true;
  return new Promise<number>((done) => {
    let finished = false;
    const onWinch = (): void => client.send({ id, resize: size() });
    const onTerm = (): void => client.send({ id, signal: 'SIGTERM' });
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      if (raw) stdin.setRawMode(false);
      stdin.pause();
      stdin.unref?.();
      process.off('SIGWINCH', onWinch);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onTerm);
      client.close();
      done(code);
    };
    const id = client.stream('shell', { name, command, ...size(), ...(ctx.env.SHELL ? { userShell: ctx.env.SHELL } : {}) }, (msg) => {
      if (finished) return;
      if ('stream' in msg) stdout.write(Buffer.from(msg.data, 'base64'));
      else if ('alert' in msg) ctx.io.err(`\r\n${printable(msg.alert)}\r\n`);
      else if ('exit' in msg) finish(msg.exit.exitCode);
      else if ('ok' in msg && !msg.ok) {
        if (raw) stdin.setRawMode(false);
        ctx.io.err(`paddock: ${msg.error.message}\n`);
        finish(EXIT_PADDOCK);
      }
    });
    if (raw) stdin.setRawMode(true);
    stdin.on('data', (d: Buffer) => client.send({ id, stdin: d.toString('base64') }));
    stdin.on('end', () => client.send({ id, stdinEnd: true }));
    process.on('SIGWINCH', onWinch);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onTerm);
  }).catch((e: unknown) => {
    throw e instanceof PaddockError ? e : new PaddockError('E_INTERNAL', String(e));
  });
}
