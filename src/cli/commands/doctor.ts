import type { DoctorCheck } from '../../shared/api.js';
import { connectControl, lockOwner } from '../../core/client/index.js';
import { machineChecks } from '../../core/commands/offline/index.js';
import { expectPositionals } from '../args.js';
import type { Command } from '../command.js';
import { cliPaths } from '../host-client.js';
import { jsonLine } from '../format.js';

/** Every check `paddock doctor` runs: the machine's, and whether a host holds the data dir. */
export async function runDoctor(dataDir: string, lockPath: string, socketPath: string): Promise<DoctorCheck[]> {
  const checks = await machineChecks();
  const owner = lockOwner(lockPath);
  checks.push({ id: 'host', ok: true, message: owner ? `a host runs for ${dataDir}: pid ${owner.pid} (${owner.command})` : `no host runs for ${dataDir}`, fix: null });
  // The vault is unlocked by the host, which may see a keychain (its desktop session's D-Bus) that
  // this shell does not: its answer is the one that matters for agents it starts.
  const i = checks.findIndex((c) => c.id === 'keychain');
  if (owner && i >= 0 && !checks[i]!.ok) {
    const hosts = await hostKeychain(socketPath);
    if (hosts) checks[i] = hosts.ok ? { ...hosts, message: `${hosts.message} (as the running host, pid ${owner.pid}, sees it; this shell cannot reach it)` } : hosts;
  }
  return checks;
}

async function hostKeychain(socketPath: string): Promise<DoctorCheck | null> {
  const client = await connectControl(socketPath);
  if (!client) return null;
  try {
    return await client.call('keychain', {});
  } catch {
    return null; // an older host without the method: keep this shell's own check
  } finally {
    client.close();
  }
}

export const doctorCommand: Command = {
  name: 'doctor',
  usage: 'paddock doctor [--json]',
  help: 'Exit 0 when agents can run here with full enforcement, 1 when something needs fixing (each problem says how).',
  options: {},
  async run(ctx) {
    expectPositionals(ctx.args, 0, 0, '', 'doctor');
    const paths = cliPaths(ctx);
    const checks = await runDoctor(paths.root, paths.lock, paths.socket);
    for (const c of checks) {
      if (ctx.json) ctx.io.out(`${jsonLine(c)}\n`);
      else ctx.io.out(`${c.ok ? 'ok  ' : 'FIX '} ${c.id.padEnd(18)} ${c.message}\n${c.fix ? `                        fix: ${c.fix}\n` : ''}`);
    }
    // The keychain is optional (a passphrase works too): only sandbox problems fail the doctor.
    return checks.some((c) => !c.ok && c.id !== 'keychain') ? 1 : 0;
  },
};
