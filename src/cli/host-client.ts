import { PaddockError } from '../shared/errors.js';
import { connectControl, type ControlClient } from '../core/host/control-client.js';
import { dataPaths, resolveDataDir, type DataPaths } from '../core/store/data-dir.js';
import type { CommandContext } from './command.js';

/** The data dir of this invocation: `--data-dir`, else `$PADDOCK_HOME`, else the platform folder. */
export function cliPaths(ctx: CommandContext): DataPaths {
  return dataPaths(resolveDataDir({ flag: ctx.dataDirFlag, env: ctx.env }));
}

/** Connects to the running host or fails with exit 125 saying how to start one. */
export async function requireHost(ctx: CommandContext): Promise<ControlClient> {
  const paths = cliPaths(ctx);
  const client = await connectControl(paths.socket);
  if (!client)
    throw new PaddockError(
      'E_NO_HOST',
      `no Paddock host is running for ${paths.root}; start one with paddock run PROFILE, paddock serve or the desktop app (or pass the right --data-dir)`,
    );
  return client;
}

/** Calls one method on the host and closes the connection. */
export async function callHost(ctx: CommandContext, method: Parameters<ControlClient['call']>[0], params: object): Promise<unknown> {
  const client = await requireHost(ctx);
  try {
    return await client.call(method, params as never);
  } finally {
    client.close();
  }
}
