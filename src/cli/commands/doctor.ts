import type { DoctorCheck } from '../../shared/api.js';
import { lockOwner } from '../../core/host/lock.js';
import { machineChecks } from '../../core/api/doctor.js';
import { expectPositionals } from '../args.js';
import type { Command } from '../command.js';
import { cliPaths } from '../host-client.js';

/** Every check `paddock doctor` runs: the machine's, and whether a host holds the data dir. */
export async function runDoctor(dataDir: string, lockPath: string): Promise<DoctorCheck[]> {
  const checks = await machineChecks();
  const owner = lockOwner(lockPath);
  checks.push({ id: 'host', ok: true, message: owner ? `a host runs for ${dataDir}: pid ${owner.pid} (${owner.command})` : `no host runs for ${dataDir}`, fix: null });
  return checks;
}

export const doctorCommand: Command = {
  name: 'doctor',
  usage: 'paddock doctor [--json]',
  help: 'Exit 0 when agents can run here with full enforcement, 1 when something needs fixing (each problem says how).',
  options: {},
  async run(ctx) {
    expectPositionals(ctx.args, 0, 0, '', 'doctor');
    const paths = cliPaths(ctx);
    const checks = await runDoctor(paths.root, paths.lock);
    for (const c of checks) {
      if (ctx.json) ctx.io.out(`${JSON.stringify(c)}\n`);
      else ctx.io.out(`${c.ok ? 'ok  ' : 'FIX '} ${c.id.padEnd(18)} ${c.message}\n${c.fix ? `                        fix: ${c.fix}\n` : ''}`);
    }
    // The keychain is optional (a passphrase works too): only sandbox problems fail the doctor.
    return checks.some((c) => !c.ok && c.id !== 'keychain') ? 1 : 0;
  },
};
