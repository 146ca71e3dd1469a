/** The data dir's store for the offline verbs that read or write it (the log, the vault, the quarantine). */
import { ensureDataDir, type DataPaths } from '../../data-dir/index.js';
import { openStore, type Store } from '../../store/store.js';
import type { EventLog } from './index.js';

/** The data dir's store (the folder created if missing, unless `ensure` is false). */
export function openOfflineStore(paths: DataPaths, ensure = true): Store {
  if (ensure) ensureDataDir(paths.root);
  return openStore(paths.db);
}

export function openEventLog(paths: DataPaths): EventLog {
  const store = openOfflineStore(paths);
  return {
    query: (q) => store.events.query(q),
    latestId: () => store.events.latestId(),
    verify: () => store.events.verify(),
    close: () => store.close(),
  };
}
