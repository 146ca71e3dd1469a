/**
 * The real Claude Code CLI (pinned, from npm, cached in .cache/agents) inside a paddock, talking
 * to a fake Messages API on the host's loopback through `host.paddock.internal` with the
 * environment exactly as Paddock sets it, with the shipped PreToolUse hook (examples/claude-code)
 * in the agent's home: allow rule -> the tool runs; deny rule -> it does not and the model is told;
 * no rule -> an approval appears and `paddock approve` decides; unanswered -> denied at the timeout.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, paddockP, ROOT, tempDir, waitFor } from '../../helpers/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';
import { AGENT_CACHE, agentCli, count, events, writeHome } from './helpers.js';

const claude = agentCli('claude');
const tmp = tempDir('paddock-claude-');
afterAll(() => tmp.cleanup());

const H = 'host.paddock.internal';
// The model asks Bash for this; the output proves the shell ran it, the file proves it ran in the workspace.
const COMMAND = 'echo TOOL-RAN-$((6*7)) | tee ran.txt';
const hook = readFileSync(join(ROOT, 'examples', 'claude-code', 'paddock-hook.mjs'), 'utf8');
const settings = JSON.stringify({ hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'node ~/.claude/paddock-hook.mjs' }] }] } });

let n = 0;
async function setup(rules: string[], extra = ''): Promise<{ dataDir: string; file: string; name: string; api: FakeAnthropic; workspace: string }> {
  const name = `claude-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const api = await startFakeAnthropic(COMMAND);
  writeHome(dataDir, name, { '.claude/paddock-hook.mjs': hook, '.claude/settings.json': settings });
  const workspace = join(dataDir, 'agents', name, 'workspace');
  // No env key in the profile: the agent's own command sets the API's address and a dummy key.
  const command = [
    'env', `ANTHROPIC_BASE_URL=http://${H}:${api.port}`, 'ANTHROPIC_API_KEY=sk-ant-fake', 'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1',
    claude!, '-p', 'Run the test command.', '--allowedTools', 'Bash',
  ];
  const file = join(tmp.dir, `${name}.yaml`);
  const all = [`allow net ${H}:${api.port}`, ...rules];
  writeFileSync(
    file,
    `name: ${name}\nnetwork: on\n${extra}folders:\n  - { path: ${JSON.stringify(AGENT_CACHE)}, access: ro }\nrules: |\n${all.map((r) => `  ${r}\n`).join('')}command: ${JSON.stringify(command)}\n`,
  );
  return { dataDir, file, name, api, workspace };
}

describe.skipIf(!claude)('Claude Code in a paddock with the Paddock hook', { timeout: 120_000 }, () => {
  it('allow rule: the Bash tool runs and its output goes back to the model; the API is reached through the proxy', async () => {
    const s = await setup(['allow action Bash(echo TOOL-RAN*)']);
    try {
      const r = await paddockP(['--data-dir', s.dataDir, 'run', s.file], { timeout: 100_000 });
      expect(r.stdout).toContain('FINAL-ANSWER: done');
      expect(r.code).toBe(0);
      expect(s.api.toolResults).toEqual([{ content: expect.stringContaining('TOOL-RAN-42') as string, isError: false }]);
      expect(readFileSync(join(s.workspace, 'ran.txt'), 'utf8')).toBe('TOOL-RAN-42\n');
      const allow = events(s.dataDir, s.name, 'net.allow');
      expect(count(allow)).toBeGreaterThanOrEqual(2);
      for (const e of allow) expect(e).toMatchObject({ host: H, port: s.api.port, rule: `allow net ${H}:${s.api.port}`, address: '127.0.0.1' });
      expect(events(s.dataDir, s.name, 'net.deny')).toEqual([]);
      expect(events(s.dataDir, s.name, 'approval.request')).toEqual([]);
    } finally {
      await s.api.close();
    }
  });

  it('deny rule: the tool does not run and the model is told Paddock denied it', async () => {
    const s = await setup(['deny action Bash(echo TOOL-RAN*)']);
    try {
      const r = await paddockP(['--data-dir', s.dataDir, 'run', s.file], { timeout: 100_000 });
      expect(r.stdout).toContain('FINAL-ANSWER: done');
      expect(s.api.toolResults).toHaveLength(1);
      expect(s.api.toolResults[0]!.content).toContain('Paddock denied Bash(echo TOOL-RAN-$((6*7)) | tee ran.txt)');
      expect(s.api.toolResults[0]!.content).not.toContain('TOOL-RAN-42');
      expect(existsSync(join(s.workspace, 'ran.txt'))).toBe(false);
      expect(events(s.dataDir, s.name, 'approval.request')).toEqual([]);
    } finally {
      await s.api.close();
    }
  });

  it('no rule: an approval appears, and `paddock approve ID` lets the tool run', async () => {
    const s = await setup([], 'approvals: { timeout: 90 }\n');
    try {
      const run = paddockAsync(['--data-dir', s.dataDir, 'run', s.file]);
      run.child.stdin?.end();
      const ask = await waitFor(() => {
        const r = paddock(['--data-dir', s.dataDir, 'approvals', '--json']);
        const line = r.stdout.trim().split('\n').find(Boolean);
        return line ? (JSON.parse(line) as { id: string; agent: string; target: string }) : null;
      }, 60_000, 300);
      expect(ask).toMatchObject({ agent: s.name, target: 'Bash(echo TOOL-RAN-$((6*7)) | tee ran.txt)' });
      expect(s.api.toolResults).toEqual([]);
      expect(paddock(['--data-dir', s.dataDir, 'approve', ask.id]).code).toBe(0);
      expect(await run.exit).toBe(0);
      expect(run.out()).toContain('FINAL-ANSWER: done');
      expect(s.api.toolResults).toEqual([{ content: expect.stringContaining('TOOL-RAN-42') as string, isError: false }]);
      expect(events(s.dataDir, s.name, 'approval.answer')).toEqual([expect.objectContaining({ approval: ask.id, answer: 'once' })]);
    } finally {
      await s.api.close();
    }
  });

  it('no rule, `paddock deny ID`: the tool does not run', async () => {
    const s = await setup([], 'approvals: { timeout: 90 }\n');
    try {
      const run = paddockAsync(['--data-dir', s.dataDir, 'run', s.file]);
      run.child.stdin?.end();
      const id = await waitFor(() => {
        const line = paddock(['--data-dir', s.dataDir, 'approvals', '--json']).stdout.trim().split('\n').find(Boolean);
        return line ? (JSON.parse(line) as { id: string }).id : null;
      }, 60_000, 300);
      expect(paddock(['--data-dir', s.dataDir, 'deny', id]).code).toBe(0);
      expect(await run.exit).toBe(0);
      expect(s.api.toolResults).toHaveLength(1);
      expect(s.api.toolResults[0]!.content).toContain('Paddock denied Bash(');
      expect(existsSync(join(s.workspace, 'ran.txt'))).toBe(false);
    } finally {
      await s.api.close();
    }
  });

  it('no rule and no answer: denied when the ask times out', async () => {
    const s = await setup([], 'approvals: { timeout: 3 }\n');
    try {
      const r = await paddockP(['--data-dir', s.dataDir, 'run', s.file], { timeout: 100_000 });
      expect(r.stdout).toContain('FINAL-ANSWER: done');
      expect(s.api.toolResults).toHaveLength(1);
      expect(s.api.toolResults[0]!.content).toContain('Paddock denied Bash(');
      expect(s.api.toolResults[0]!.content).not.toContain('TOOL-RAN-42');
      expect(existsSync(join(s.workspace, 'ran.txt'))).toBe(false);
      expect(events(s.dataDir, s.name, 'approval.request')).toHaveLength(1);
    } finally {
      await s.api.close();
    }
  });
});
