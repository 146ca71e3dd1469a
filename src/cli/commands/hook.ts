import { AGENT_NAME_RE } from '../../shared/names.js';
import { installClaudeHook, QUIET_ENV } from '../../core/commands/index.js';
import { expectPositionals, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { withGuestRunner } from '../guest-runner.js';

/** Harnesses `paddock hook install` knows. */
const KINDS = ['claude-code'] as const;

export const hookCommand: Command = {
  name: 'hook',
  usage: 'paddock hook install NAME claude-code [--keep-traffic]',
  help: `"Ask me before tool calls": installs Paddock's Claude Code PreToolUse hook in the agent's own
home (~/.claude/paddock-hook.mjs, registered in ~/.claude/settings.json). Each tool call then goes
through paddock-ask: action rules in the profile decide (e.g. deny action Bash(git push*),
allow action Read(*)); with no matching rule you are asked. A denial or no answer refuses the call.
The hook is merged into an existing settings.json (kept once as settings.json.paddock-backup);
running the command again changes nothing. It also sets ${QUIET_ENV}=1 (no telemetry,
update checks or error reports) unless --keep-traffic is given or you set it yourself.
Files are read and written inside the agent's sandbox, so the agent must not be running.`,
  options: { 'keep-traffic': { type: 'boolean', description: `do not set ${QUIET_ENV}=1 in settings.json` } },
  async run(ctx) {
    expectPositionals(ctx.args, 3, 3, 'install NAME claude-code', 'hook');
    const [verb, name, kind] = ctx.args.positionals as [string, string, string];
    if (verb !== 'install') throw new UsageError(`unknown hook verb "${verb}" (use: paddock hook install NAME claude-code)`, 'hook');
    if (!AGENT_NAME_RE.test(name)) throw new UsageError(`"${name}" is not a valid agent name`, 'hook');
    if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`unknown harness "${kind}" (known: ${KINDS.join(', ')})`, 'hook');
    const quiet = ctx.args.options['keep-traffic'] !== true;
    const r = await withGuestRunner(ctx, name, `paddock hook install ${name}`, (run) => installClaudeHook(run, name, { quiet }));
    ctx.io.out(
      r.changed
        ? `installed: Claude Code in agent "${name}" now asks Paddock before each tool call${r.backedUp ? ' (the previous ~/.claude/settings.json is kept as settings.json.paddock-backup)' : ''}\n`
        : `already installed: agent "${name}"'s ~/.claude/settings.json has the hook${quiet ? ` and ${QUIET_ENV}` : ''}\n`,
    );
    return 0;
  },
};
