/**
 * The data dir: where it is (--data-dir, PADDOCK_DATA_DIR, the platform's default) and the paths
 * inside it. Its own domain, free of SQLite, because the CLI's light client needs the paths (the
 * lock, the control socket) before any host or store exists.
 */
export { APP_FOLDER, dataPaths, ensureDataDir, holdsDataDir, knownDataDirsFile, listedDataDirs, resolveDataDir, type DataPaths, type ResolveDataDirOptions } from './data-dir.js';
export { consolesDir, registerConsole, registeredConsolePorts } from './consoles.js';
export { processAlive, processStartTime } from './process.js';
