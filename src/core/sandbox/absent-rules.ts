import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Rule } from '../../shared/rules.schema.js';
import { expandHome, hasGlob } from './glob.js';
import { isWithin } from './layout.js';
import type { Tree } from './masks.js';

/**
 * Notes for `deny`/`ask` read and write rules that name one path (no glob) which does not exist at
 * launch inside a folder the agent can write: masks cover what exists, so the agent could create
 * that path and use it. Principle 1 of PRODUCT.md (enforced, or shown as not enforced): the user is
 * told rather than left to believe the rule holds.
 */
export async function absentPathNotes(rules: Rule[], home: string, trees: Tree[]): Promise<string[]> {
  const notes: string[] = [];
  for (const r of rules) {
    if ((r.kind !== 'read' && r.kind !== 'write') || (r.effect !== 'deny' && r.effect !== 'ask')) continue;
    const p = expandHome(r.pattern.trim(), home);
    if (!p.startsWith('/') || hasGlob(p)) continue;
    const abs = path.resolve(p);
    if (!trees.some((t) => t.writable && isWithin(abs, t.root))) continue;
    if (await lstat(abs).catch(() => null)) continue;
    notes.push(`"${r.text}" (line ${r.line}) covers nothing in this run: ${abs} does not exist, and if it appears while the run lasts (made by the agent or by you) the agent can ${r.kind} it. Create it before the run to have it covered.`);
  }
  return notes;
}
