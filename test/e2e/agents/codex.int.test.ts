/**
 * The real Codex CLI (pinned, from npm, cached in .cache/agents) inside a paddock: `codex exec`
 * with a custom model provider in the agent's `~/.codex/config.toml` whose base_url is a fake
 * Responses API on the host's loopback, reached through `host.paddock.internal` with the proxy
 * variables exactly as Paddock sets them. Codex's own PreToolUse hooks (~/.codex/hooks.json) run
 * the same shipped hook as Claude Code's (examples/claude-code), so Paddock's action rules decide
 * its shell commands too.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, paddockP, ROOT, tempDir, waitFor } from '../../helpers/cli.js';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai.js';
import { AGENT_CACHE, agentCli, count, events, writeHome } from './helpers.js';

const codex = agentCli('codex');
const tmp = tempDir('paddock-codex-');
afterAll(() => tmp.cleanup());

const H = 'host.paddock.internal';
const COMMAND = 'echo TOOL-RAN-$((6*7)) | tee ran.txt';
const hook = readFileSync(join(ROOT, 'examples', 'claude-code', 'paddock-hook.mjs'), 'utf8');
const hooks = JSON.stringify({ hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'node ~/.codex/paddock-hook.mjs' }] }] } });
const config = (port: number): string =>
  [
    'model = "fake-model"',
    'model_provider = "fake"',
    'check_for_update_on_startup = false',
    '[model_providers.fake]',
    'name = "Fake"',
    `base_url = "http://${H}:${port}/v1"`,
    'wire_api = "responses"',
    'env_key = "FAKE_API_KEY"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join('\n');

let n = 0;
async function setup(rules: string[], extra = ''): Promise<{ dataDir: string; file: string; name: string; api: FakeOpenAI; workspace: string }> {
  const name = `codex-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const api = await startFakeOpenAI(COMMAND);
  writeHome(dataDir, name, { '.codex/config.toml': config(api.port), '.codex/hooks.json': hooks, '.codex/paddock-hook.mjs': hook });
  const workspace = join(dataDir, 'agents', name, 'workspace');
  // Paddock is the sandbox: Codex's own (nested bubblewrap) sandbox is off. Hook trust is
  // bypassed because the test wrote the hook itself (Codex otherwise skips an untrusted hook silently).
  const command = [
    'env', 'FAKE_API_KEY=sk-fake', codex!, 'exec', '--skip-git-repo-check', '--dangerously-bypass-hook-trust', '-s', 'danger-full-access', 'Run the test command.',
  ];
  const file = join(tmp.dir, `${name}.yaml`);
  const all = [`allow net ${H}:${api.port}`, ...rules];
  writeFileSync(
    file,
    `name: ${name}\nnetwork: on\n${extra}folders:\n  - { path: ${JSON.stringify(AGENT_CACHE)}, access: ro }\nrules: |\n${all.map((r) => `  ${r}\n`).join('')}command: ${JSON.stringify(command)}\n`,
  );
  return { dataDir, file, name, api, workspace };
}

describe.skipIf(!codex)('Codex in a paddock against a fake Responses API', { timeout: 120_000 }, () => {
  it('allow rule: codex exec reaches the API through the proxy and runs the command', async () => {
    const s = await setup(['allow action Bash(echo TOOL-RAN*)']);
    try {
      const r = await paddockP(['--data-dir', s.dataDir, 'run', s.file], { timeout: 100_000 });
      expect(r.stdout, r.stderr).toContain('FINAL-ANSWER: done');
      expect(r.code).toBe(0);
      expect(s.api.outputs).toHaveLength(1);
      expect(s.api.outputs[0]).toContain('TOOL-RAN-42');
      expect(readFileSync(join(s.workspace, 'ran.txt'), 'utf8')).toBe('TOOL-RAN-42\n');
      const allow = events(s.dataDir, s.name, 'net.allow');
      expect(count(allow)).toBeGreaterThanOrEqual(2);
      for (const e of allow) expect(e).toMatchObject({ host: H, port: s.api.port, rule: `allow net ${H}:${s.api.port}`, address: '127.0.0.1' });
      // Codex's own background calls (update and plugin checks, analytics: api.github.com,
      // chatgpt.com, …) are refused by default and logged; none of them is the API, none breaks the run.
      const deny = events(s.dataDir, s.name, 'net.deny');
      process.stderr.write(`codex: hosts refused by default: ${[...new Set(deny.map((e) => `${String(e.host)}:${String(e.port)}`))].join(' ')}\n`);
      for (const e of deny) expect(e).toMatchObject({ rule: null, port: 443 });
      expect(deny.filter((e) => e.host === H)).toEqual([]);
    } finally {
      await s.api.close();
    }
  });

  it('deny rule: the command does not run and the model is told Paddock denied it', async () => {
    const s = await setup(['deny action Bash(echo TOOL-RAN*)']);
    try {
      const r = await paddockP(['--data-dir', s.dataDir, 'run', s.file], { timeout: 100_000 });
      expect(r.stdout, r.stderr).toContain('FINAL-ANSWER: done');
      expect(s.api.outputs).toHaveLength(1);
      expect(s.api.outputs[0]).toContain('Paddock denied Bash(echo TOOL-RAN-$((6*7)) | tee ran.txt)');
      expect(s.api.outputs[0]).not.toContain('TOOL-RAN-42');
      expect(existsSync(join(s.workspace, 'ran.txt'))).toBe(false);
    } finally {
      await s.api.close();
    }
  });

  it('no rule: an approval appears, and `paddock approve ID` lets the command run', async () => {
    const s = await setup([], 'approvals: { timeout: 90 }\n');
    try {
      const run = paddockAsync(['--data-dir', s.dataDir, 'run', s.file]);
      run.child.stdin?.end();
      const ask = await waitFor(() => {
        const line = paddock(['--data-dir', s.dataDir, 'approvals', '--json']).stdout.trim().split('\n').find(Boolean);
        return line ? (JSON.parse(line) as { id: string; agent: string; target: string }) : null;
      }, 60_000, 300);
      expect(ask).toMatchObject({ agent: s.name, target: 'Bash(echo TOOL-RAN-$((6*7)) | tee ran.txt)' });
      expect(paddock(['--data-dir', s.dataDir, 'approve', ask.id]).code).toBe(0);
      expect(await run.exit).toBe(0);
      expect(s.api.outputs[0]).toContain('TOOL-RAN-42');
    } finally {
      await s.api.close();
    }
  });

  it('no rule and no answer: denied when the ask times out', async () => {
    const s = await setup([], 'approvals: { timeout: 3 }\n');
    try {
      const r = await paddockP(['--data-dir', s.dataDir, 'run', s.file], { timeout: 100_000 });
      expect(r.stdout, r.stderr).toContain('FINAL-ANSWER: done');
      expect(s.api.outputs[0]).toContain('Paddock denied Bash(');
      expect(existsSync(join(s.workspace, 'ran.txt'))).toBe(false);
      expect(events(s.dataDir, s.name, 'approval.request')).toHaveLength(1);
    } finally {
      await s.api.close();
    }
  });
});
