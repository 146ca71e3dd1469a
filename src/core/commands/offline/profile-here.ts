/**
 * What `paddock run` would refuse on this machine in a profile that is otherwise valid: a granted
 * folder that does not exist, or one that is the user's home (or holds it) or a kernel interface.
 * `check` says it before the run does (the same reasons as sandbox/grants.ts, which stays the judge).
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Profile } from '../../../shared/profile.schema.js';
import type { RuleSet } from '../../../shared/rules.schema.js';
import { hasGlob } from '../../sandbox/glob.js';
import { isWithin } from '../../sandbox/layout.js';

const KERNEL_ROOTS = ['/proc', '/sys', '/dev', '/run', '/var/run'];

function problem(given: string, userHome: string): string | null {
  if (!path.isAbsolute(given)) return 'is not an absolute path (write ~/… or a full path)';
  if (!existsSync(given)) return 'does not exist here (create it, or fix the path)';
  const real = realpathSync.native(given);
  if (isWithin(userHome, real)) return 'is your home folder or contains it (grant a subfolder)';
  const root = KERNEL_ROOTS.find((r) => isWithin(real, r));
  return root ? `lies under ${root} (devices, kernel interfaces, sockets)` : null;
}

/** One line per grant `paddock run` would refuse here, naming the folder entry or rule. */
export function problemsHere(profile: Profile, ruleSet: RuleSet, userHome: string): string[] {
  const out: string[] = [];
  profile.folders.forEach((f, i) => {
    const why = problem(f.path, userHome);
    if (why) out.push(`folder ${f.path} (folders[${i}], ${f.access}) ${why}: paddock run refuses it`);
  });
  for (const r of ruleSet.rules) {
    // `~` in rules is the agent's own home, never granted; a glob grants nothing (run says so).
    if (r.effect !== 'allow' || (r.kind !== 'read' && r.kind !== 'write') || r.pattern.startsWith('~') || hasGlob(r.pattern)) continue;
    const why = problem(r.pattern, userHome);
    if (why) out.push(`rule "${r.text}" (line ${r.line}) grants ${r.pattern}, which ${why}: paddock run refuses it`);
  }
  return out;
}
