#!/usr/bin/env node
// Claude Code PreToolUse hook: sends every tool call to Paddock's ask gate (`paddock-ask`) and
// turns a denial into a "deny" permission decision. Approved calls print nothing, so Claude
// Code's own permission rules still apply on top (the stricter of the two wins).
//
// Action names (what `action` rules in the agent's profile match):
//   Bash            -> Bash(<command>)          e.g. deny action Bash(git push*)
//   Write/Edit/...  -> Write(<file_path>)       e.g. ask action Write(/etc/*)
//   WebFetch        -> WebFetch(<url>)
//   WebSearch       -> WebSearch(<query>)
//   anything else   -> the tool name            e.g. ask action mcp__gmail__send_email
import { spawnSync } from 'node:child_process';

const MAX = 180;
const oneLine = (s) => String(s ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
const clip = (s) => (s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s);

function actionFor(tool, input) {
  const i = input && typeof input === 'object' ? input : {};
  switch (tool) {
    case 'Bash': return `Bash(${clip(oneLine(i.command))})`;
    case 'Write': case 'Edit': case 'MultiEdit': case 'NotebookEdit': case 'Read':
      return `${tool}(${clip(oneLine(i.file_path ?? i.notebook_path))})`;
    case 'WebFetch': return `WebFetch(${clip(oneLine(i.url))})`;
    case 'WebSearch': return `WebSearch(${clip(oneLine(i.query))})`;
    default: return clip(oneLine(tool)) || 'unknown-tool';
  }
}

function deny(reason) {
  process.stdout.write(`${JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } })}\n`);
  process.exit(0);
}

let raw = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (raw += c));
process.stdin.on('end', () => {
  let hook;
  try {
    hook = JSON.parse(raw);
  } catch {
    deny('paddock: the hook input was not JSON; refusing the tool call');
  }
  const action = actionFor(hook.tool_name, hook.tool_input);
  const detail = JSON.stringify(hook.tool_input ?? {}).slice(0, 1500);
  // The absolute path: a login shell may have reset PATH (Paddock puts paddock-ask there in every sandbox).
  const r = spawnSync(process.env.PADDOCK_ASK ?? '/run/paddock/bin/paddock-ask', [action, detail], { encoding: 'utf8' });
  if (r.status === 0) process.exit(0);
  // Denied, timed out, or the gate is unreachable: fail closed.
  const why = (r.stderr || '').trim() || (r.error ? String(r.error.message) : 'denied');
  deny(`Paddock denied ${action}: ${why}`);
});
