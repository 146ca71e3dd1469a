// Process boundaries are part of the architecture: lint enforces them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { boundaries } from './eslint/boundaries.mjs';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'module', 'net', 'os', 'path', 'process', 'readline', 'stream', 'tls', 'tty',
  'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

/** core and shared run in plain Node (and shared also in the renderer): no UI runtimes. */
const coreRestrictions = {
  paths: [
    { name: 'electron', message: 'src/core and src/shared must not import electron: pass a port into createEngine(deps) instead.' },
    { name: 'react', message: 'src/core and src/shared must not import react.' },
    { name: 'react-dom', message: 'src/core and src/shared must not import react-dom.' },
  ],
  patterns: [
    { group: ['electron/*', 'react/*', 'react-dom/*'], message: 'No UI runtimes in src/core or src/shared.' },
    { group: ['**/renderer/**', '**/main/**', '**/preload/**'], message: 'src/core and src/shared must not depend on the UI layers.' },
  ],
};

/** The renderer only talks to the typed API object: no Node, no Electron, no database. */
const rendererRestrictions = {
  paths: [
    { name: 'electron', message: 'The renderer must not import electron: use the typed API in lib/api.ts.' },
    { name: 'better-sqlite3', message: 'The renderer must not touch the database: use the typed API in lib/api.ts.' },
    ...NODE_BUILTINS.map((name) => ({ name, message: 'The renderer must not import Node built-ins.' })),
  ],
  patterns: [
    { group: ['node:*'], message: 'The renderer must not import Node built-ins.' },
    { group: ['**/core/**', '**/main/**', '**/cli/**'], message: 'The renderer only imports src/shared and its own files.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', 'test-results/**', 'test/fixtures/lint/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': ['error', coreRestrictions],
      // DOM globals are not available in core/shared (their tsconfig has no DOM lib either).
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'HTMLElement'],
    },
  },
  {
    // The engine's verbs are the only way in (issue 14; see eslint/boundaries.mjs and docs/ARCHITECTURE.md).
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { paddock: boundaries },
    rules: {
      'paddock/host-imports': 'error',
      'paddock/no-deep-import': 'error',
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', rendererRestrictions],
      'no-restricted-globals': ['error', 'process', 'require', '__dirname', 'Buffer'],
    },
  },
);
