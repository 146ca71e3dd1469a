import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'paddock');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `bin/paddock` synchronously. */
export function paddock(args: string[], opts: SpawnSyncOptions & { input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, ...opts });
  return { code: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/**
 * Runs the real `bin/paddock` without blocking this process's event loop (needed when the test
 * itself serves what the agent talks to).
 */
export function paddockP(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<CliResult> {
  const p = paddockAsync(args, { env: opts.env });
  p.child.stdin?.end(opts.input ?? '');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), opts.timeout ?? 60_000);
  return p.exit.then((code) => {
    clearTimeout(timer);
    return { code, stdout: p.out(), stderr: p.err() };
  });
}

/** Starts the real `bin/paddock` in the background; collects its output. */
export function paddockAsync(args: string[], opts: Parameters<typeof spawn>[2] = {}): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exit };
}

/** A `paddock serve` host on `dataDir` (runs through a host are recorded), started and ready; stop() ends it. */
export async function startServe(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ReturnType<typeof paddockAsync> & { stop: () => Promise<void> }> {
  const host = paddockAsync(['--data-dir', dataDir, 'serve', '--port', '0'], { env });
  await waitFor(() => /token=/.test(host.out()), 20_000);
  return {
    ...host,
    stop: async () => {
      host.child.kill('SIGTERM');
      await host.exit;
    },
  };
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix = 'paddock-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function waitFor<T>(fn: () => T | Promise<T>, ms = 10_000, every = 50): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}
