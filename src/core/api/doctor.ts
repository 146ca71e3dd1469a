import type { DoctorCheck } from '../../shared/api.js';
import type { Engine } from '../engine.js';
import { detectCapabilities, doctorChecks as sandboxChecks } from '../sandbox/runtime/index.js';
import { keychainCheck } from '../vault/keychain.js';

/** What enforces what on this machine: platform, sandbox, limits, keychain (shared by `paddock doctor` and the app). */
export async function machineChecks(): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  if (process.platform === 'win32') {
    checks.push({ id: 'platform', ok: false, message: 'Windows: Paddock cannot enforce a sandbox here yet, so it refuses to start agents', fix: 'run Paddock on Linux (or inside WSL2 with bubblewrap) or macOS' });
  } else {
    checks.push(...sandboxChecks(await detectCapabilities()));
  }
  checks.push(keychainCheck());
  return checks;
}

/** The app's Doctor page: the machine checks plus the data dir this process hosts. */
export async function doctorChecks(engine: Engine): Promise<DoctorCheck[]> {
  const checks = await machineChecks();
  checks.push({ id: 'data-dir', ok: true, message: `data dir ${engine.paths.root} (this process hosts it, pid ${process.pid})`, fix: null });
  return checks;
}
