/**
 * The command line's side of the control socket: connect, call a method of the API map (typed
 * results), stream a guest run. Light on purpose: `paddock ps` loads this, never the engine or zod.
 */
export { connectControl, type ControlClient } from './control-client.js';
export { lineReader, MAX_LINE, type HostMessage } from './wire.js';
export { dataPaths, ensureDataDir, resolveDataDir, type DataPaths } from '../data-dir/index.js';
export { acquireHostLock, lockOwner, type HostLock, type LockOwner } from './lock.js';
