// Starts a real `paddock serve --port 0` host in a fresh data dir for the fuzz targets that talk to it.
import { join } from 'node:path';
import { paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

/** A running headless host: its control socket, console URL and token, and a stop function. */
export interface ServedHost {
  dataDir: string;
  socket: string;
  port: number;
  token: string;
  /** The serve process's pid. */
  pid: number;
  alive(): boolean;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `paddock serve --port 0`; resolves once it printed its URL. */
export async function serveHost(): Promise<ServedHost> {
  const tmp = tempDir('paddock-fuzz-');
  const dataDir = join(tmp.dir, 'data');
  const p = paddockAsync(['--data-dir', dataDir, 'serve', '--port', '0'], { env: { ...process.env, PADDOCK_VAULT_PASSPHRASE: '' } });
  const url = await waitFor(() => /http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+)/.exec(p.out()) ?? (p.child.exitCode !== null ? (() => { throw new Error(`serve exited: ${p.err()}`); })() : null), 30_000);
  return {
    dataDir,
    socket: join(dataDir, 'run', 'paddock.sock'),
    port: Number(url[1]),
    token: url[2]!,
    pid: p.child.pid ?? 0,
    alive: () => p.child.exitCode === null && p.child.signalCode === null,
    stderr: () => p.err(),
    async stop() {
      if (p.child.exitCode === null) p.child.kill('SIGTERM');
      const t = setTimeout(() => p.child.kill('SIGKILL'), 5000);
      await p.exit;
      clearTimeout(t);
      tmp.cleanup();
    },
  };
}
