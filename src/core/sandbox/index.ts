/**
 * The sandbox: a run's plan (mounts, masks, environment), its launch and supervision (runtime/),
 * the platform checks, and the scans of what an agent may have planted in its writable folders.
 */
export { prepareSandbox } from './plan.js';
export type { SandboxSpec } from './spec.js';
export { EXEC_CHECK_SH } from './exec-check.js';
export { GrantRedirectError } from './links.js';
export { assertPlatformSupported, probePlatform } from './platform.js';
export { expandHome, hasGlob } from './glob.js';
export { isWithin } from './layout.js';
export { MAX_WALK_ENTRIES, walkTree, type WalkBudget } from './walk.js';
export { findPlants, scanGitTrees, shallowScan, type GitPlant, type GitScan, type GitSnapshot } from './git-scan.js';
export { cgroupLayout, detectCapabilities, doctorChecks, findBwrap, launchSandbox, type SandboxProcess } from './runtime/index.js';
export type { NetListener } from './runtime/types.js';
export { LauncherPool } from './runtime/launcher.js';
export { GitWatch } from './runtime/git-watch.js';
export { MaskWatch } from './runtime/mask-watch.js';
export { userPathDirs } from './user-path.js';
export { LOGIN_PATHS } from './login-paths.js';
