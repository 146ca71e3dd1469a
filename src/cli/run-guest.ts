// `paddock run` up to the point where a host is found, and the whole guest run: shared by the full
// command line (commands/run.ts, which also hosts) and the client bundle (client.ts), which loads
// no engine and no parser, and hands over to the full one when no host answers.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PaddockError, type Diagnostic } from '../shared/errors.js';
import { connectControl, ensureDataDir, type ControlClient, type DataPaths } from '../core/client/index.js';
import { expectPositionals } from './args.js';
import type { Command, CommandContext } from './command.js';
import { cliPaths } from './host-client.js';
import { printable } from './format.js';
import { EXIT_PADDOCK } from './io.js';
import { mark } from './timing.js';
import { readProfileFile } from './profile-file.js';

/** `paddock run`'s name, usage, help and options. */
export const RUN_SPEC: Omit<Command, 'run'> = {
  name: 'run',
  usage: 'paddock run PROFILE [-- CMD ARGS…]',
  help: `Runs the agent in its sandbox with its stdio passed through (files are passed through
pipes). Exit code: the agent's, 128+N when a signal N ended it, 125 when Paddock itself failed,
127 when the command is not in the sandbox and 126 when it cannot be run there (as in a shell).
If a Paddock host already runs for this data dir, the agent is started there and its output
streamed here. Ctrl-C stops the agent politely (SIGTERM, then SIGKILL after 10 s); a second
Ctrl-C kills it.`,
  options: {},
};

/** The problems of a profile, or null when it is valid (profile-problems.ts; it loads the parser). */
export type ProfileProblems = (text: string, file: string) => Promise<readonly Diagnostic[] | null>;

/** What a run needs when no host answers: this process becomes the host. */
export interface Unhosted {
  text: string;
  file: string;
  command: string[] | null;
  paths: DataPaths;
}

/**
 * Reads the profile and looks for a running host: if one answers, runs the agent there (a guest)
 * and returns its exit code; else returns what the caller needs to host it. `found` is called just
 * before the guest run starts.
 */
export async function runIfHosted(ctx: CommandContext, problems: ProfileProblems, found: () => void = () => undefined): Promise<number | Unhosted> {
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
  if (!existing) return { text: read.text, file, command, paths };
  found();
  mark('host found');
  return runAsGuest(ctx, existing, read.text, file, command, problems);
}

/** Throws E_PROFILE_INVALID with the positions of every problem, naming the file as given. */
export async function validateProfile(text: string, file: string, problems: ProfileProblems): Promise<void> {
  const diagnostics = await problems(text, file);
  if (diagnostics) throw new PaddockError('E_PROFILE_INVALID', `${file} is not a valid profile; fix it (paddock check ${file}) and try again`, diagnostics);
}

async function runAsGuest(ctx: CommandContext, client: ControlClient, yaml: string, file: string, command: string[] | null, problems: ProfileProblems): Promise<number> {
  const refused = await new Promise<number | { code: string; message: string }>((done) => {
    let finished = false;
    const finish = (result: number | { code: string; message: string }): void => {
      if (finished) return;
      finished = true;
      process.stdin.unref?.();
      client.close();
      done(result);
    };
    // PASSPHRASE_ENV of src/core/vault (not imported: the client bundle loads no vault code).
    const pass = ctx.env.PADDOCK_VAULT_PASSPHRASE;
    const vaultPassphrase = pass ? pass.slice(0, 1024) : undefined;
    // Threat: output the host sends faster than this process's stdout takes it (a pipe nobody reads)
    // piling up in memory here; the host waits while the connection is not read, and the agent with it.
    const blocked = new Set<NodeJS.WriteStream>();
    const id = client.stream('run', { yaml, source: resolve(file), command, cwd: process.cwd(), userPath: ctx.env.PATH ?? '', ...(vaultPassphrase ? { vaultPassphrase } : {}) }, (msg) => {
      if ('stream' in msg) {
        const out = msg.stream === 'stdout' ? process.stdout : process.stderr;
        if (!out.write(Buffer.from(msg.data, 'base64')) && !blocked.has(out)) {
          blocked.add(out);
          client.socket.pause();
          out.once('drain', () => {
            blocked.delete(out);
            if (blocked.size === 0) client.socket.resume();
          });
        }
      }
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
  if (refused.code === 'E_PROFILE_INVALID') await validateProfile(yaml, file, problems);
  ctx.io.err(`paddock: ${refused.message}\n`);
  return EXIT_PADDOCK;
}
