// Shared set-up for the fault tests: a temp dir of data dirs and profiles, and readers of the CLI's JSON output.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paddock, paddockAsync, tempDir } from '../helpers/cli.js';

/** True when the tests run as root (mounts, namespaces and tmpfs need it). */
export const IS_ROOT = process.getuid?.() === 0;

/** A scratch area: each `setup` makes a fresh data dir and writes one profile. */
export function faultBed(prefix: string): {
  dir: string;
  started: ReturnType<typeof paddockAsync>[];
  setup(profile: (name: string) => string, tag?: string): { dataDir: string; file: string; name: string };
  killStarted(): void;
  cleanup(): void;
} {
  const tmp = tempDir(prefix);
  const started: ReturnType<typeof paddockAsync>[] = [];
  let n = 0;
  return {
    dir: tmp.dir,
    started,
    setup(profile, tag = 'fault') {
      const name = `${tag}-${++n}`;
      const dataDir = join(tmp.dir, `data-${n}`);
      const file = join(tmp.dir, `${name}.yaml`);
      writeFileSync(file, profile(name));
      return { dataDir, file, name };
    },
    killStarted() {
      for (const s of started.splice(0)) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    },
    cleanup: () => tmp.cleanup(),
  };
}

/** The events of one agent (optionally of a kind prefix), via `paddock events --json`. */
export function eventsOf(dataDir: string, agent: string, kind?: string): Record<string, unknown>[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, ...(kind ? ['--kind', kind] : []), '--json', '--limit', '10000']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** `paddock ps --json` rows ([] when no host answers). */
export function psRows(dataDir: string): { agent: string; run: string; state: string; pids: number[] }[] {
  const r = paddock(['--data-dir', dataDir, 'ps', '--json']);
  if (r.code !== 0) return [];
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { agent: string; run: string; state: string; pids: number[] });
}
