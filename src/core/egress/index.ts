/** The egress proxy: per-agent listeners, network switches, asks, tripwires (issue 4). */
export { createEgress, Egress } from './egress.js';
export { ApprovalQueue, approved, type ApprovalQueueDeps, type ApprovalStore } from './approvals.js';
export { CpuWatch, type CpuWatchOptions } from './cpu-watch.js';
export { sandboxGlue, installHelpers, INSIDE_BIN_DIR, INSIDE_SOCKET_DIR, DEFAULT_BRIDGE_PORT, type GlueOptions, type SandboxGlue } from './glue.js';
export { SOCKET_NAME } from './agent-proxy.js';
export { adoptListener, netPath } from './ns-listener.js';
export { GATE_HOST } from './gate.js';
export { DEFAULT_ALERTS, Tripwires, looksLikeSsh } from './tripwires.js';
export { alertPauseFromEnv, type AlertPauseSettings } from './alert-pause.js';
export { answerRule, formatTarget, parseAuthority, parseAbsoluteUri } from './target.js';
export { vetConnection, type VetResult, type VetContext } from './vet.js';
export type * from './types.js';
