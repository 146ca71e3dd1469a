import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Profile } from '../../shared/profile.schema.js';
import type { RuleSet } from '../../shared/rules.schema.js';
import { expandHome, hasGlob } from '../sandbox/index.js';
import type { DataPaths } from '../data-dir/index.js';

/** One stored agent as the engine parses it (null: its profile no longer parses). */
export type ParsedAgent = { name: string; parsed: { profile: Profile; ruleSet: RuleSet } | null };

/**
 * The host folders agents other than `self` can write: their homes and workspaces, their rw folders
 * and the paths of their `allow write` rules, plus the home and workspace folders left in
 * `<data-dir>/agents/` (agents deleted since keep their files there). Threat: any of them could
 * hold a symbolic link planted to redirect another agent's grant (see sandbox/links.ts).
 */
export function othersWritable(self: string, agents: readonly ParsedAgent[], paths: DataPaths): string[] {
  const out: string[] = [];
  for (const a of agents) {
    if (a.name === self) continue;
    const home = paths.agentHome(a.name);
    out.push(home, paths.agentWorkspace(a.name));
    if (!a.parsed) continue; // its folders are unknown; its default home and workspace are covered
    const { profile, ruleSet } = a.parsed;
    if (profile.workspace) out.push(profile.workspace);
    for (const f of profile.folders) if (f.access === 'rw') out.push(f.path);
    for (const r of ruleSet.rules) {
      if (r.effect !== 'allow' || r.kind !== 'write') continue;
      const p = expandHome(r.pattern, home);
      if (path.isAbsolute(p) && !hasGlob(p)) out.push(p);
    }
  }
  let dirs: string[] = [];
  try {
    dirs = readdirSync(paths.agents);
  } catch {
    // no agents folder yet
  }
  for (const d of dirs) if (d !== self) out.push(path.join(paths.agents, d, 'home'), path.join(paths.agents, d, 'workspace'));
  return out;
}
