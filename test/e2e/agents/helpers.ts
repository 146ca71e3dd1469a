/** Shared by the real-agent tests: the CLI cache, per-case data dirs, events. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paddock } from '../../helpers/cli.js';
// @ts-expect-error -- a plain .mjs script, typed at its use
import { CACHE, ensure } from '../../../scripts/agent-clis.mjs';

export const AGENT_CACHE = CACHE as string;

/** The pinned CLI's executable (installed into .cache/agents on first use), or null with a stderr line saying why. */
export function agentCli(name: 'claude' | 'codex' | 'verdaccio'): string | null {
  const r = (ensure as (n: string) => string | Error)(name);
  if (r instanceof Error) {
    process.stderr.write(`SKIP real-agent tests for ${name}: its CLI could not be installed from npm (${r.message})\n`);
    return null;
  }
  return r;
}

export type Event = Record<string, unknown>;

export function events(dataDir: string, agent: string, kind: string): Event[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, '--kind', kind, '--json', '--limit', '10000']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
}

/** Repeated decisions may be folded into one event with a count. */
export const count = (es: Event[]): number => es.reduce((k, e) => k + (typeof e.count === 'number' ? e.count : 1), 0);

/** Writes files into the agent's home (`<data-dir>/agents/<name>/home`) before its first run. */
export function writeHome(dataDir: string, agent: string, files: Record<string, string>): string {
  const home = join(dataDir, 'agents', agent, 'home');
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(join(home, rel, '..'), { recursive: true });
    writeFileSync(join(home, rel), body);
  }
  return home;
}
