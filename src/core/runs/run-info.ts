import type { RunInfo } from '../../shared/agent.schema.js';
import type { RunSlot } from './types.js';

/** One line per run, as `paddock ps` shows them (a starting run has no processes yet). */
export async function runInfo(runs: readonly RunSlot[], learning: (agent: string) => boolean): Promise<RunInfo[]> {
  const out: RunInfo[] = [];
  for (const r of runs) {
    if (r.state === 'starting') {
      out.push({ agent: r.agent, run: r.run, state: 'starting', pids: [], cpu: 0, memory: 0, started: new Date().toISOString(), network: 'off', ...(learning(r.agent) ? { learning: true } : {}) });
      continue;
    }
    const s = await r.proc.stats().catch(() => ({ cpu: 0, memory: 0, pids: 0 }));
    out.push({
      agent: r.agent,
      run: r.run,
      state: r.state,
      pids: r.proc.pids(),
      cpu: s.cpu,
      memory: s.memory,
      started: r.started.toISOString(),
      network: r.network,
      ...(r.state === 'paused' && r.pausedReason ? { pausedReason: r.pausedReason } : {}),
      ...(learning(r.agent) ? { learning: true } : {}),
    });
  }
  return out;
}
