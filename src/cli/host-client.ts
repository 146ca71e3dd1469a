import type { ControlMethod, ControlParams, ControlResult } from '../shared/control.js';
import { PaddockError } from '../shared/errors.js';
import { connectControl, dataPaths, resolveDataDir, type ControlClient, type DataPaths } from '../core/client/index.js';
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

/** Calls one method of the host's map (an API channel, or a host method) and closes the connection. The result is typed from the map. */
export async function callHost<M extends ControlMethod>(ctx: CommandContext, method: M, params: ControlParams<M>): Promise<ControlResult<M>> {
  const client = await requireHost(ctx);
  try {
    return await client.call(method, params);
  } finally {
    client.close();
  }
}
