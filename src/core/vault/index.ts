/** The vault: per-agent secrets (encrypted at rest), their delivery, header injection and the interception CA. */
export { createVault, MAX_SECRET_BYTES, type Vault, type VaultDeps, type VaultStatus } from './vault.js';
export { RESERVED_ENV, type ResolveOptions, type RunSecrets, type SecretFile } from './delivery.js';
export { hostBound, injectHeaders, newPlaceholder, placeholdersIn, type HeaderBinding, type Headers, type InjectOptions, type InjectResult } from './inject.js';
export { createAgentCa, type AgentCa, type CaOptions, type LeafCert } from './ca.js';
export { caBundle, caBundleEnv, SYSTEM_CA_BUNDLES } from './ca-bundle.js';
export { PASSPHRASE_ENV, type PassphrasePrompt } from './master-key.js';
export { ttyPassphrasePrompt } from './tty-prompt.js';
