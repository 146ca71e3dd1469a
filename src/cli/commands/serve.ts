import { apiAdapter } from '../../core/api/index.js';
import { alertPauseFromEnv, cpuAlertFromEnv, createPaddock, registerConsole } from '../../core/commands/index.js';
import { startHost } from '../../core/host/index.js';
import { PaddockError } from '../../shared/errors.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { cliPaths } from '../host-client.js';
import { paddockVersion } from '../version.js';
import { DEFAULT_RENDERER_DIR, startConsoleServer } from '../serve/console-server.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The console's port when --port is not given. */
export const DEFAULT_CONSOLE_PORT = 7447;

export const serveCommand: Command = {
  name: 'serve',
  usage: 'paddock serve [--port N]',
  help: `Hosts the data dir (like the desktop app) and serves the app's UI and its API on
http://127.0.0.1:PORT/ only. Prints http://127.0.0.1:PORT/#token=TOKEN: the token is new at every
start, and every /api/ request needs it (Authorization: Bearer TOKEN). --port 0 picks a free port.
Ctrl-C (or SIGTERM) stops every agent and exits.`,
  options: { port: { type: 'string', value: 'N', description: `port on 127.0.0.1 (default ${DEFAULT_CONSOLE_PORT}; 0 picks a free one)` } },
  async run(ctx) {
    expectPositionals(ctx.args, 0, 0, '', 'serve');
    const raw = ctx.args.options.port;
    // Threat (attack pass F): Number() took "0x50", "1e3", " 8" and listened on a port the user never typed; decimal digits only.
    const port = raw === undefined ? DEFAULT_CONSOLE_PORT : typeof raw === 'string' && /^[0-9]{1,5}$/.test(raw) ? Number(raw) : NaN;
    if (typeof raw === 'boolean' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a number from 0 to 65535, not "${String(raw)}"`, 'serve');
    const paths = cliPaths(ctx);
    // Threat: an agent probing the console: its port is control plane, refused by every proxy.
    let consolePort: number | null = null;
    const engine = await createPaddock({ dataDir: paths.root, cpuAlert: cpuAlertFromEnv(ctx.env), alertPause: alertPauseFromEnv(ctx.env), controlPorts: () => (consolePort === null ? [] : [consolePort]) });
    let host;
    try {
      host = await startHost(engine, 'paddock serve', paddockVersion());
      engine.prestartLauncher('pipe'); // the first start skips the slow part of its launch
      void engine.checkLogOnStart();
    } catch (e) {
      engine.closeUnhosted();
      throw e;
    }
    const api = apiAdapter(engine, { version: paddockVersion(), surface: 'console' });
    let web;
    let unregister = (): void => {};
    try {
      web = await startConsoleServer({ paddock: engine, api, port });
      consolePort = web.port;
      // Every other host on this machine refuses this port to its agents too.
      unregister = registerConsole(web.port);
    } catch (e) {
      await host.close();
      await engine.close();
      const code = (e as { code?: string }).code;
      if (code === 'EADDRINUSE') throw new PaddockError('E_USAGE', `port ${port} is in use on 127.0.0.1; pick another with --port N (0 picks a free one)`);
      throw e;
    }
    if (!existsSync(join(DEFAULT_RENDERER_DIR, 'index.html')))
      ctx.io.err('paddock: the UI is not built (the API works): run `npx electron-vite build` in the Paddock folder, then reload the page.\n');
    ctx.io.out(`${web.url}\n`);
    // stdout stays the URL alone (scripts read it); how to stop is said where a person reads.
    ctx.io.err(`paddock: the console hosts ${paths.root} until Ctrl-C, which stops it and every agent it runs\n`);
    await new Promise<void>((resolveStop) => {
      const stop = (): void => {
        for (const s of signals) process.off(s, stop);
        resolveStop();
      };
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const s of signals) process.on(s, stop);
    });
    ctx.io.err('paddock: stopping every agent and the console\n');
    await web.close();
    unregister();
    await engine.killAll('paddock serve is shutting down').catch(() => undefined);
    await host.close();
    await engine.close();
    return 0;
  },
};
