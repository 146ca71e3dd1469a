import { homedir } from 'node:os';
import type { GapFinding } from '../../shared/api.js';
import { formatDiagnostic } from '../../shared/errors.js';
import { checkProfileFile } from '../../core/commands/offline/index.js';
import { expectPositionals } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_USAGE } from '../io.js';
import { readProfileFile } from '../profile-file.js';
import { jsonLine } from '../format.js';

const SEVERITY_LABEL: Record<GapFinding['severity'], string> = { high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };

export function formatGaps(gaps: readonly GapFinding[]): string {
  if (gaps.length === 0) return 'Gap report: nothing found — every capability is addressed by a rule.\n';
  const lines = ['Gap report — what the agent can still do that no rule addresses:'];
  for (const g of gaps) {
    lines.push(`  ${SEVERITY_LABEL[g.severity].padEnd(6)} ${g.message}  [${g.code}]`);
    if (g.suggestion) lines.push(`         suggested: ${g.suggestion.replace(/\n/g, '\n                    ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export const checkCommand: Command = {
  name: 'check',
  usage: 'paddock check PROFILE [--instructions]',
  help: 'Exit 0 when the profile is valid (what paddock run would refuse on this machine, such as a missing folder, and the gap report follow), 2 when it is not (each error as FILE:LINE:COL: message).',
  options: { instructions: { type: 'boolean', description: 'also print the instruction file (PADDOCK.md) the agent will get' } },
  async run(ctx) {
    expectPositionals(ctx.args, 1, 1, 'PROFILE (the path of a YAML profile)', 'check');
    const file = ctx.args.positionals[0]!;
    const read = readProfileFile(file);
    if ('error' in read) {
      ctx.io.err(`${read.error}\n`);
      return EXIT_USAGE;
    }
    const instructions = !ctx.json && ctx.args.options.instructions === true;
    const checked = await checkProfileFile(read.text, file, { home: homedir(), instructions });
    if (!checked.valid) {
      const { diagnostics } = checked;
      if (ctx.json) for (const d of diagnostics) ctx.io.out(`${jsonLine({ type: 'error', ...d })}\n`);
      for (const d of diagnostics) ctx.io.err(`${formatDiagnostic(d)}\n`);
      ctx.io.err(`paddock: ${file} is not a valid profile (${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'})\n`);
      return EXIT_USAGE;
    }
    const { gaps, here } = checked;
    if (ctx.json) {
      for (const g of gaps) ctx.io.out(`${jsonLine({ type: 'gap', ...g })}\n`);
      for (const message of here) ctx.io.out(`${jsonLine({ type: 'here', message })}\n`);
      return 0;
    }
    ctx.io.out(`${file}: valid profile for agent "${checked.agent}" (${checked.rules} enforced rule${checked.rules === 1 ? '' : 's'}, ${checked.advisories} advisory)\n`);
    // Valid, and still refused by `run` here: said before the gap report, where it is read first.
    for (const line of here) ctx.io.out(`${file}: on this machine, ${line}\n`);
    ctx.io.out('\n');
    ctx.io.out(formatGaps(gaps));
    if (checked.instructions !== undefined) ctx.io.out(`\n--- PADDOCK.md ---\n${checked.instructions}`);
    return 0;
  },
};
