// Deep imports between the engine's parts that predate the boundary rule (issue 14): one domain of
// src/core reaching into another's files instead of its index.ts. Known debt, listed so that no NEW
// one gets in (paddock/no-deep-import): shrink this list, never grow it.
/** importing domain (folder under src/core) → files of other domains it still imports directly */
export const DEEP_IMPORT_DEBT = {
  agents: [
    'egress/target.ts',
    'policy/evaluator.ts',
    'policy/glob.ts',
    'policy/ip.ts',
    'policy/net-match.ts',
    'policy/net-pattern.ts',
    'policy/rule-parser.ts',
  ],
  doctor: [
    'egress/relay.ts',
    'sandbox/runtime/capabilities.ts',
    'sandbox/runtime/index.ts',
    'vault/keychain.ts',
  ],
  egress: [
    'http/read-body.ts',
    'policy/evaluator.ts',
    'policy/ip.ts',
    'policy/net-match.ts',
    'policy/net-pattern.ts',
    'vault/ca.ts',
    'vault/inject.ts',
  ],
  learn: [
    'agents/profile-edit.ts',
    'agents/simulate.ts',
    'agents/text-diff.ts',
  ],
  runs: [
    'agents/instructions.ts',
    'decoys/place.ts',
    'decoys/watch.ts',
    'egress/approvals.ts',
    'egress/target.ts',
    'egress/types.ts',
    'policy/evaluator.ts',
    'policy/rule-parser.ts',
    'sandbox/git-scan.ts',
    'sandbox/glob.ts',
    'sandbox/links.ts',
    'sandbox/plan.ts',
    'sandbox/platform.ts',
    'sandbox/runtime/capabilities.ts',
    'sandbox/runtime/git-watch.ts',
    'sandbox/runtime/launch.ts',
    'sandbox/runtime/launcher.ts',
    'sandbox/runtime/mask-watch.ts',
    'sandbox/runtime/types.ts',
    'sandbox/spec.ts',
    'sandbox/walk.ts',
    'store/answers.repo.ts',
    'store/store.ts',
    'vault/vault.ts',
  ],
  sandbox: [
    'policy/evaluator.ts',
  ],
  store: [
    'vault/keychain.ts',
  ],
  terminal: [
    'agents/claude-hook.ts',
    'runs/run-manager.ts',
  ],
  vault: [
    'store/secrets.repo.ts',
  ],
};
