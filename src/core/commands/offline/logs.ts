/** `paddock logs` with no host: the recorded output of an agent's runs, read-only from the files. */
import { listRunLogs, readRunLog, runLogDir, runLogFile } from '../../runs/output/read.js';
import type { DataPaths } from '../../data-dir/index.js';
import type { RunLogs } from './index.js';

export function runLogs(paths: DataPaths, agent: string): RunLogs {
  const dir = runLogDir(paths, agent);
  return { list: () => listRunLogs(dir), file: (run) => runLogFile(dir, agent, run), read: readRunLog };
}
