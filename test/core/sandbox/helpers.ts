import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Rule } from '../../../src/shared/rules.schema.js';
import { prepareSandbox, type SandboxPlan } from '../../../src/core/sandbox/plan.js';
import type { SandboxSpec } from '../../../src/core/sandbox/spec.js';
import { spawnSandbox } from '../../../src/core/sandbox/spawn.js';

/** A scratch world: a data dir, a fake "user home" and an agent spec builder. */
export interface World {
  root: string;
  dataDir: string;
  userHome: string;
  spec(over?: Partial<SandboxSpec>): SandboxSpec;
  dispose(): Promise<void>;
}

export async function makeWorld(agent = 'tester'): Promise<World> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'paddock-sbx-test-'));
  const dataDir = path.join(root, 'data');
  const userHome = path.join(root, 'user');
  await mkdir(userHome, { recursive: true });
  return {
    root,
    dataDir,
    userHome,
    spec: (over = {}) => ({
      agent,
      runId: 'run-1',
      dataDir,
      home: path.join(dataDir, 'agents', agent, 'home'),
      workspace: path.join(dataDir, 'agents', agent, 'workspace'),
      folders: [],
      command: ['true'],
      rules: [],
      instructions: '# Instructions\n',
      userHome,
      ...over,
    }),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

let line = 0;
/** A parsed rule as the policy parser would produce it. */
export function rule(text: string): Rule {
  const [effect, kind, ...rest] = text.split(/\s+/);
  return { effect: effect as Rule['effect'], kind: kind as Rule['kind'], pattern: rest.join(' '), text, line: ++line, col: 1 };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawn a prepared plan and collect its output. */
export function runPlan(plan: SandboxPlan): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnSandbox(plan);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      void plan.cleanup().then(() => resolve({ code, stdout, stderr }));
    });
  });
}

/** Prepare and run `bash -c script` in the world's sandbox. */
export async function sh(world: World, script: string, over: Partial<SandboxSpec> = {}): Promise<RunResult> {
  const plan = await prepareSandbox(world.spec({ command: ['bash', '-c', script], ...over }));
  return runPlan(plan);
}
