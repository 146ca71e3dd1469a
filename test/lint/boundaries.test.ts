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
