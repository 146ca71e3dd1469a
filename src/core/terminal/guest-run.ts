import { installClaudeHook, type GuestOutput, type HookInstallResult, type HookOptions } from '../agents/index.js';
import type { Engine } from '../engine.js';

/**
 * Runs one command in a run of the agent's sandbox (an agent runs once at a time: fails with
 * E_ALREADY_RUNNING while it runs) and collects its output.
 */
export async function runInSandbox(engine: Engine, agent: string, command: string[]): Promise<GuestOutput> {
  const run = await engine.start(agent, { command, stdio: 'pipe' });
  run.stdin?.end();
  let stdout = '';
  let stderr = '';
  run.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  run.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const closed = [run.stdout, run.stderr].map((s) => (s ? new Promise<void>((r) => s.once('close', () => r())) : Promise.resolve()));
  const result = await run.done;
  await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 2000))]);
  return { code: result.exitCode ?? -1, stdout, stderr };
}

/** Installs the Claude Code ask-before-tool-calls hook in the agent's home (see claude-hook.ts). */
export function installAgentHook(engine: Engine, agent: string, opts: HookOptions = {}): Promise<HookInstallResult> {
  return installClaudeHook((command) => runInSandbox(engine, agent, command), agent, opts);
}
