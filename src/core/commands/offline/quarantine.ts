/** `paddock quarantine` with no host: what Paddock moved out of writable folders, and putting it back. */
import type { QuarantineItem } from '../../../shared/api.js';
import { restoredEvent, restoreQuarantine } from '../../runs/quarantine.js';
import type { DataPaths } from '../../data-dir/index.js';
import { openOfflineStore } from './store.js';

export { listQuarantine as listQuarantined } from '../../runs/quarantine.js';

export function restoreQuarantined(paths: DataPaths, id: string): QuarantineItem {
  const item = restoreQuarantine(paths.root, id);
  const store = openOfflineStore(paths, false); // the caller prepared the data dir
  try {
    store.events.append(restoredEvent(item, store.events));
  } finally {
    store.close();
  }
  return item;
}
