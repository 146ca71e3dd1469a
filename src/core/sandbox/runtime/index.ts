/** The sandbox runtime: spawn inside cgroups, supervise (pause/resume/stop/kill), watch, and check the machine. */
export { launchSandbox, cgroupLayout, sweepStaleCgroups } from './launch.js';
export { detectCapabilities, doctorChecks, findBwrap } from './capabilities.js';
export type {
  Capabilities,
  CgroupMode,
  FsChangeEvent,
  LaunchOptions,
  ProcExecEvent,
  RunExit,
  RunLimits,
  RuntimeEvent,
  SandboxProcess,
} from './types.js';
