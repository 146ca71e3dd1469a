/**
 * The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager): where the vault keeps
 * its master key and the store pins the activity log's anchor. Its own domain because both use it.
 */
export { keychainCheck, keychainEntry, keychainSecret, KEYCHAIN_SERVICE, type KeychainSecret } from './keychain.js';
