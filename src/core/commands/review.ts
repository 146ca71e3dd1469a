import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ExportResult, FolderDiff, SimulationResult } from '../../shared/api.js';
import { PaddockError } from '../../shared/errors.js';
import { diffFolder, exportFolder } from '../agents/folders-export.js';
import { SIMULATION_EVENTS, simulateNet } from '../agents/simulate.js';
import type { Engine } from '../engine.js';
import { agentPolicy } from '../runs/prepare.js';
import { EDITOR_FILE } from '../agents/profile-check.js';

/** Replays the agent's last network requests under its stored rules and under the edited profile. */
export function simulateRules(engine: Engine, name: string, yaml: string): SimulationResult {
  const current = engine.agent(name);
  const edited = engine.parse(yaml, EDITOR_FILE);
  if (edited.profile.name !== name) throw new PaddockError('E_INVALID_INPUT', `the edited profile is named "${edited.profile.name}", not "${name}"; keep the name to compare rules`);
  const home = engine.paths.agentHome(name);
  // The policy as the proxy builds it: profile rules plus remembered answers (e.g. "deny always").
  const policyOf = (rules: typeof current.ruleSet.rules) => agentPolicy(rules, (after) => engine.answers.rules(name, after), home);
  const net = engine.store.events.query({ agent: name, kindPrefix: 'net.', limit: SIMULATION_EVENTS });
  const asks = engine.store.events.query({ agent: name, kindPrefix: 'approval.request', limit: SIMULATION_EVENTS });
  const events = [...net, ...asks].sort((a, b) => b.id - a.id).slice(0, SIMULATION_EVENTS);
  const remembered = (r: { host: string; port: number }): boolean =>
    engine.answers.covers({ agent: name, kind: 'net', target: r.host.includes(':') ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}` });
  return simulateNet(events, policyOf(current.ruleSet.rules), policyOf(edited.ruleSet.rules), remembered);
}

/** The original folder and the agent's copy for a `copy` folder of the profile (as written or expanded). */
async function copyPaths(engine: Engine, name: string, folder: string): Promise<{ original: string; copy: string }> {
  const { profile } = engine.agent(name);
  const want = path.resolve(folder === '~' ? engine.userHome : folder.startsWith('~/') ? path.join(engine.userHome, folder.slice(2)) : folder);
  // Threat: the page asking to diff or write arbitrary host paths; only the profile's copy folders qualify.
  const f = profile.folders.find((x) => x.access === 'copy' && path.resolve(x.path) === want);
  if (!f) throw new PaddockError('E_NOT_FOUND', `agent "${name}" has no copy folder ${folder}; grant it with access copy first`);
  const original = await realpath(f.path).catch(() => f.path);
  const ws = profile.workspace ?? engine.paths.agentWorkspace(name);
  const workspace = await realpath(ws).catch(() => ws);
  return { original, copy: path.join(workspace, path.basename(original)) };
}

/** folders:diff — what changed in the agent's copy. */
export async function folderDiff(engine: Engine, name: string, folder: string): Promise<FolderDiff> {
  const p = await copyPaths(engine, name, folder);
  return diffFolder(p.copy, p.original);
}

/** folders:export — copies reviewed files back; refused while the agent runs (it could change them after review). */
export async function folderExport(engine: Engine, name: string, folder: string, files?: string[]): Promise<ExportResult> {
  // Threat: the agent rewriting a file between the user's review and the export.
  if (engine.runs.get(name)) throw new PaddockError('E_ALREADY_RUNNING', `agent "${name}" is running; stop it, review the diff again, then export`);
  const p = await copyPaths(engine, name, folder);
  const r = await exportFolder(p.copy, p.original, files);
  engine.log({ kind: 'fs.change', agent: name, path: p.original, change: 'exported', count: r.written.length, skipped: r.skipped.length });
  return r;
}
