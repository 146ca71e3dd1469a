import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals')
    .map((m) => m.message);
}

describe('process boundaries are enforced by lint', () => {
  it.each([
    ['src/core/sandbox/leak.ts', "import { app } from 'electron';\nexport const x = app;\n"],
    ['src/core/leak.ts', "import React from 'react';\nexport const x = React;\n"],
    ['src/shared/leak.ts', "import { createRoot } from 'react-dom/client';\nexport const x = createRoot;\n"],
    ['src/core/leak.ts', "export const x = window.location.href;\n"],
  ])('%s importing a UI runtime is an error', async (file, code) => {
    const messages = await restrictedImports(file, code);
    expect(messages.length).toBeGreaterThan(0);
  });

  it.each([
    ['src/renderer/features/leak.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ['src/renderer/features/leak.ts', "import { readFileSync } from 'fs';\nexport const x = readFileSync;\n"],
    ['src/renderer/leak.tsx', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
    ['src/renderer/leak.ts', "import Database from 'better-sqlite3';\nexport const x = Database;\n"],
    ['src/renderer/leak.ts', "import { openStore } from '../core/store/db.js';\nexport const x = openStore;\n"],
  ])('%s importing Node, Electron or the database is an error', async (file, code) => {
    const messages = await restrictedImports(file, code);
    expect(messages.length).toBeGreaterThan(0);
  });

  it('allows what each layer may use', async () => {
    expect(await restrictedImports('src/core/ok.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([]);
    expect(await restrictedImports('src/renderer/ok.tsx', "import { useState } from 'react';\nexport const x = useState;\n")).toEqual([]);
    expect(await restrictedImports('src/main/ok.ts', "import { app } from 'electron';\nexport const x = app;\n")).toEqual([]);
  });
});

/** The messages of the engine-boundary rules (issue 14) for `code` placed at `filePath`. */
async function boundaryMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('paddock/')).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the engine’s verbs are the only way in (issue 14)', () => {
  it.each([
    // The Electron shell reaching the engine class, its runs or its store.
    ['src/main/leak.ts', "import { createEngine } from '../core/engine.js';\nexport const x = createEngine;\n"],
    ['src/main/tray/leak.ts', "import type { Engine } from '../../core/engine.js';\nexport type X = Engine;\n"],
    ['src/main/leak.ts', "import { RunManager } from '../core/runs/run-manager.js';\nexport const x = RunManager;\n"],
    // The CLI and `serve` reaching the store or the approvals queue; also through a dynamic import.
    ['src/cli/commands/leak.ts', "import { openStore } from '../../core/store/store.js';\nexport const x = openStore;\n"],
    ['src/cli/serve/leak.ts', "import { ApprovalQueue } from '../../core/egress/approvals.js';\nexport const x = ApprovalQueue;\n"],
    ['src/cli/commands/leak.ts', "export async function f() {\n  return (await import('../../core/engine.js')).createEngine;\n}\n"],
    // The control-socket host and the API adapter reaching a part (even through the part's index).
    ['src/core/host/leak.ts', "import { createEgress } from '../egress/index.js';\nexport const x = createEgress;\n"],
    ['src/core/api/leak.ts', "export { openStore } from '../store/store.js';\n"],
    // Type-only imports count too: a host naming a part's type depends on that part.
    ['src/cli/commands/leak.ts', "import type { Store } from '../../core/store/index.js';\nexport type X = Store;\n"],
    // The offline verbs' own files are reached through offline/index.ts only.
    ['src/cli/commands/leak.ts', "import { openEventLog } from '../../core/commands/offline/store.js';\nexport const x = openEventLog;\n"],
    // Nor are the command module's own files (the doctor is a verb of it now).
    ['src/cli/commands/leak.ts', "import { machineChecks } from '../../core/commands/doctor.js';\nexport const x = machineChecks;\n"],
  ])('%s reaching past the command module is an error', async (file, code) => {
    const messages = await boundaryMessages(file, code);
    expect(messages.some((m) => m.startsWith('paddock/host-imports: '))).toBe(true);
  });

  it.each([
    ['src/core/egress/leak.ts', "import { RunManager } from '../runs/run-manager.js';\nexport const x = RunManager;\n"],
    ['src/core/policy/leak.ts', "import { EventsRepo } from '../store/events.repo.js';\nexport const x = EventsRepo;\n"],
    ['src/core/vault/leak.ts', "export * from '../agents/profile.js';\n"],
    // Type-only, a nested folder (runtime/) and a dynamic import are deep imports too.
    ['src/core/runs/leak.ts', "import type { SandboxProcess } from '../sandbox/runtime/types.js';\nexport type X = SandboxProcess;\n"],
    ['src/core/runs/leak.ts', "import { MaskWatch } from '../sandbox/runtime/index.js';\nexport const x = MaskWatch;\n"],
    ['src/core/client/leak.ts', "export { dataPaths } from '../data-dir/data-dir.js';\n"],
    ['src/core/terminal/leak.ts', "export async function f() {\n  return (await import('../runs/run-manager.js')).RunManager;\n}\n"],
  ])('%s importing another domain’s internals (not its index.ts) is an error', async (file, code) => {
    const messages = await boundaryMessages(file, code);
    expect(messages.some((m) => m.startsWith('paddock/no-deep-import: '))).toBe(true);
  });

  it('allows the command module, the adapter, the host, the client and src/shared (control)', async () => {
    expect(
      await boundaryMessages(
        'src/main/ok.ts',
        "import { createPaddock } from '../core/commands/index.js';\nimport { apiAdapter } from '../core/api/index.js';\nimport { startHost } from '../core/host/index.js';\nimport { API } from '../shared/api.js';\nexport const x = [createPaddock, apiAdapter, startHost, API];\n",
      ),
    ).toEqual([]);
    expect(await boundaryMessages('src/cli/commands/ok.ts', "import { connectControl } from '../../core/client/index.js';\nexport const x = connectControl;\n")).toEqual([]);
    // A domain's own files, and another domain's index.ts.
    expect(await boundaryMessages('src/core/egress/ok.ts', "import { compilePolicy } from '../policy/index.js';\nimport type { ApprovalOutcome } from './types.js';\nexport const x = compilePolicy;\nexport type Y = ApprovalOutcome;\n")).toEqual([]);
    // The command module assembles the engine's parts.
    expect(await boundaryMessages('src/core/commands/ok.ts', "import { RunManager } from '../runs/run-manager.js';\nexport const x = RunManager;\n")).toEqual([]);
  });

  // The lists of known exceptions (eslint/deep-import-debt.mjs, CLI_OFFLINE_DEBT, LIGHT_ENTRIES) are
  // gone: files they let through are reported like any other (issue 14).
  it.each([
    // Once DEEP_IMPORT_DEBT: the runs and the egress proxy reaching into other domains' files.
    ['src/core/runs/prepare.ts', "import { compilePolicy } from '../policy/evaluator.js';\nexport const x = compilePolicy;\n", 'paddock/no-deep-import'],
    ['src/core/egress/intercept.ts', "import { hostBound } from '../vault/inject.js';\nexport const x = hostBound;\n", 'paddock/no-deep-import'],
    ['src/core/vault/vault.ts', "import type { SecretsRepo } from '../store/secrets.repo.js';\nexport type X = SecretsRepo;\n", 'paddock/no-deep-import'],
    // Once LIGHT_ENTRIES (store/data-dir.ts; the data dir is its own domain now, data-dir/index.ts).
    ['src/core/client/index.ts', "export { dataPaths } from '../store/data-dir.js';\n", 'paddock/no-deep-import'],
    // Once CLI_OFFLINE_DEBT: the offline commands opening the store or parsing profiles themselves.
    ['src/cli/commands/events.ts', "import { openStore } from '../../core/store/store.js';\nexport const x = openStore;\n", 'paddock/host-imports'],
    ['src/cli/commands/secret.ts', "import { createVault } from '../../core/vault/vault.js';\nexport const x = createVault;\n", 'paddock/host-imports'],
    ['src/cli/profile-problems.ts', "export async function f() {\n  return (await import('../core/agents/profile.js')).parseProfile;\n}\n", 'paddock/host-imports'],
    ['src/cli/commands/doctor.ts', "import { machineChecks } from '../../core/doctor/index.js';\nexport const x = machineChecks;\n", 'paddock/host-imports'],
  ])('%s, once exempted, is reported now', async (file, code, rule) => {
    const messages = await boundaryMessages(file, code);
    expect(messages.some((m) => m.startsWith(`${rule}: `))).toBe(true);
  });

  it('allows the offline verbs and a domain’s index.ts, type-only imports included (control)', async () => {
    expect(await boundaryMessages('src/cli/commands/events.ts', "import { openEventLog } from '../../core/commands/offline/index.js';\nexport const x = openEventLog;\n")).toEqual([]);
    expect(await boundaryMessages('src/core/runs/ok.ts', "import type { SandboxProcess } from '../sandbox/index.js';\nimport { MaskWatch } from '../sandbox/index.js';\nexport type X = SandboxProcess;\nexport const y = MaskWatch;\n")).toEqual([]);
    expect(await boundaryMessages('src/core/client/ok.ts', "export { dataPaths } from '../data-dir/index.js';\n")).toEqual([]);
  });

  it('no list of exceptions is left in the rules', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    expect(existsSync('eslint/deep-import-debt.mjs')).toBe(false);
    expect(readFileSync('eslint/boundaries.mjs', 'utf8')).not.toMatch(/DEBT|LIGHT_ENTRIES/);
  });

  it('the real tree lints clean under these rules', async () => {
    const results = await eslint.lintFiles(['src']);
    const found = results.flatMap((r) => r.messages.filter((m) => m.ruleId?.startsWith('paddock/')).map((m) => `${r.filePath}:${m.line}: ${m.message}`));
    expect(found).toEqual([]);
    expect(results.length).toBeGreaterThan(100); // the tree was linted, not an empty glob
  }, 120_000);
});
