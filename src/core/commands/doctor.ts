/**
 * The doctor (`paddock doctor`, the app's Doctor page): what enforces what on this machine, asked of
 * the parts that enforce it. A verb of the command module, which assembles the parts: it reaches the
 * few files it needs (not the egress proxy or the vault as a whole), so that the offline
 * `paddock doctor` stays light.
 */
import type { DoctorCheck } from '../../shared/api.js';
import { relayBinary } from '../egress/relay.js';
import { netPath } from '../egress/ns-listener.js';
import { keychainCheck } from '../keychain/index.js';
import { nativeBinary } from '../native.js';
import { detectCapabilities, doctorChecks as sandboxChecks, findBwrap } from '../sandbox/runtime/index.js';

/** What enforces what on this machine: platform, sandbox, limits, keychain (shared by `paddock doctor` and the app). */
export async function machineChecks(): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  if (process.platform === 'win32') {
    checks.push({ id: 'platform', ok: false, message: 'Windows: Paddock cannot enforce a sandbox here yet, so it refuses to start agents', fix: 'run Paddock on Linux (or inside WSL2 with bubblewrap) or macOS' });
  } else {
    checks.push(...sandboxChecks(await detectCapabilities()));
  }
  checks.push(keychainCheck());
  checks.push(relayCheck());
  if (process.platform === 'linux') checks.push(launcherCheck(), netPathCheck(), decoyWatchCheck());
  return checks;
}

/** Which path bulk egress tunnels take: the native splice relay, or Node (same behaviour, slower). */
export function relayCheck(): DoctorCheck {
  const bin = relayBinary();
  if (bin) return { id: 'egress.relay', ok: true, message: `bulk tunnels: native splice relay (${bin})`, fix: null };
  const off = process.env.PADDOCK_NATIVE === 'off';
  return {
    id: 'egress.relay',
    ok: true,
    message: off ? 'bulk tunnels: in Node (PADDOCK_NATIVE=off); same checks, lower throughput' : 'bulk tunnels: in Node (the native relay is not built); same checks, lower throughput',
    fix: off ? null : 'install a C compiler (e.g. gcc) and run `npm run build` to build native/bin/paddock-relay',
  };
}

/** How an agent's connections reach its proxy: a listener inside its own network namespace, or the socat bridge. */
export function netPathCheck(): DoctorCheck {
  const p = netPath(findBwrap());
  if (p.inNamespace)
    return { id: 'egress.path', ok: true, message: `agents reach their proxy through its listener inside their own network namespace (no process inside, no fork per connection; ${p.why})`, fix: null };
  const forced = /PADDOCK_(NATIVE=off|NET_PATH=bridge)/.test(p.why);
  return {
    id: 'egress.path',
    ok: true,
    message: `agents reach their proxy through an in-sandbox socat bridge (${p.why}): same checks, a process per connection, slower`,
    fix: forced ? null : 'install a C compiler (e.g. gcc) and run `npm run build` to build native/bin/paddock-launch',
  };
}

/** How decoy reads are watched (issue 18): inotify through the native helper, or access-time polling. */
export function decoyWatchCheck(): DoctorCheck {
  const bin = nativeBinary('paddock-decoy-watch');
  if (bin) return { id: 'decoys.watch', ok: true, message: `decoy reads are watched with inotify (${bin})`, fix: null };
  const off = process.env.PADDOCK_NATIVE === 'off';
  return {
    id: 'decoys.watch',
    ok: true,
    message: `decoy reads are watched by polling access times (${off ? 'PADDOCK_NATIVE=off' : 'the native watcher is not built'}): a read on a noatime mount, or a second read within a day, goes unseen`,
    fix: off ? null : 'install a C compiler (e.g. gcc) and run `npm run build` to build native/bin/paddock-decoy-watch',
  };
}

/** How sandboxes start: the native launcher (pre-started for the next run), or the /bin/sh fallback. */
export function launcherCheck(): DoctorCheck {
  const bin = nativeBinary('paddock-launch');
  if (bin) return { id: 'sandbox.launcher', ok: true, message: `sandboxes start through the native launcher, pre-started for the next run (${bin})`, fix: null };
  const off = process.env.PADDOCK_NATIVE === 'off';
  return {
    id: 'sandbox.launcher',
    ok: true,
    message: `sandboxes start through /bin/sh (${off ? 'PADDOCK_NATIVE=off' : 'the native launcher is not built'}); same protections, slower starts`,
    fix: off ? null : 'install a C compiler (e.g. gcc) and run `npm run build` to build native/bin/paddock-launch',
  };
}

/** The app's Doctor page: the machine checks plus the data dir this process hosts. */
export async function doctorChecks(dataDir: string): Promise<DoctorCheck[]> {
  const checks = await machineChecks();
  checks.push({ id: 'data-dir', ok: true, message: `data dir ${dataDir} (this process hosts it, pid ${process.pid})`, fix: null });
  return checks;
}
