import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, tempDir } from '../helpers/cli.js';

const tmp = tempDir('paddock-hook-');
afterAll(() => tmp.cleanup());

let n = 0;
function setup(rules = ''): { dataDir: string; name: string; file: string; claude: string } {
  const name = `hooked-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const file = join(tmp.dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nnetwork: off\n${rules ? `rules: |\n${rules}` : ''}`);
  const r = paddock(['--data-dir', dataDir, 'run', file, '--', 'true']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { dataDir, name, file, claude: join(dataDir, 'agents', name, 'home', '.claude') };
}

describe('paddock hook install NAME claude-code (issue 16 item 7)', { timeout: 60_000 }, () => {
  it("installs the hook and the quiet env in the agent's home: ~/.claude 0700, files 0600; a second run changes nothing", () => {
    const s = setup();
    const r = paddock(['--data-dir', s.dataDir, 'hook', 'install', s.name, 'claude-code']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^installed: /);
    const settings = JSON.parse(readFileSync(join(s.claude, 'settings.json'), 'utf8')) as { hooks: { PreToolUse: { hooks: { command: string }[] }[] }; env: Record<string, string> };
    expect(settings.hooks.PreToolUse[0]!.hooks[0]!.command).toBe('node ~/.claude/paddock-hook.mjs');
    expect(settings.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe('1');
    expect(lstatSync(s.claude).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(s.claude, 'settings.json')).mode & 0o777).toBe(0o600);
    expect(lstatSync(join(s.claude, 'paddock-hook.mjs')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(s.claude, 'settings.json.paddock-backup'))).toBe(false);

    const before = readFileSync(join(s.claude, 'settings.json'), 'utf8');
    const again = paddock(['--data-dir', s.dataDir, 'hook', 'install', s.name, 'claude-code']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already installed/);
    expect(readFileSync(join(s.claude, 'settings.json'), 'utf8')).toBe(before);
    expect(readdirSync(s.claude).sort()).toEqual(['paddock-hook.mjs', 'settings.json']);
  });

  it("merges into the user's settings.json and keeps the original once as settings.json.paddock-backup", () => {
    const s = setup();
    mkdirSync(s.claude, { mode: 0o700 });
    const mine = '{\n  "model": "opus",\n  "env": { "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "0" }\n}\n';
    writeFileSync(join(s.claude, 'settings.json'), mine);
    const r = paddock(['--data-dir', s.dataDir, 'hook', 'install', s.name, 'claude-code']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('settings.json.paddock-backup');
    expect(readFileSync(join(s.claude, 'settings.json.paddock-backup'), 'utf8')).toBe(mine);
    const merged = JSON.parse(readFileSync(join(s.claude, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(merged.model).toBe('opus');
    expect(merged.env).toEqual({ CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '0' }); // the user turned it back on: kept
    expect(JSON.stringify(merged.hooks)).toContain('paddock-hook.mjs');
    // An edit after the install, then a second install: the backup still holds the original.
    writeFileSync(join(s.claude, 'settings.json'), JSON.stringify({ ...merged, theme: 'dark' }));
    expect(paddock(['--data-dir', s.dataDir, 'hook', 'install', s.name, 'claude-code']).code).toBe(0);
    expect(readFileSync(join(s.claude, 'settings.json.paddock-backup'), 'utf8')).toBe(mine);
  });

  it('--keep-traffic leaves the env alone; a settings.json that is not JSON is left as it was, with what to do', () => {
    const s = setup();
    expect(paddock(['--data-dir', s.dataDir, 'hook', 'install', s.name, 'claude-code', '--keep-traffic']).code).toBe(0);
    expect(JSON.parse(readFileSync(join(s.claude, 'settings.json'), 'utf8'))).not.toHaveProperty('env');
    writeFileSync(join(s.claude, 'settings.json'), '{ broken');
    const r = paddock(['--data-dir', s.dataDir, 'hook', 'install', s.name, 'claude-code']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/settings.json is not valid JSON; fix it/);
    expect(readFileSync(join(s.claude, 'settings.json'), 'utf8')).toBe('{ broken');
  });

  it("Threat: a ~/.claude link the agent planted towards the user's files is refused; nothing is written there", () => {
    const s = setup();
    const userDir = join(tmp.dir, `user-claude-${n}`);
    mkdirSync(userDir);
    writeFileSync(join(userDir, 'settings.json'), '{"user":"own"}');
    symlinkSync(userDir, s.claude);
    const r = paddock(['--data-dir', s.dataDir, 'hook', 'install', s.name, 'claude-code']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/~\/.claude is a link or a file; replace it with a folder/);
    expect(readdirSync(userDir)).toEqual(['settings.json']);
    expect(readFileSync(join(userDir, 'settings.json'), 'utf8')).toBe('{"user":"own"}');
  });

  it('the installed hook works inside the sandbox with a bare PATH: a denied tool call is refused, an allowed one passes', () => {
    const s = setup('  deny action Bash(rm*)\n  allow action Bash(ls*)\n');
    expect(paddock(['--data-dir', s.dataDir, 'hook', 'install', s.name, 'claude-code']).code).toBe(0);
    const call = (command: string) =>
      paddock(['--data-dir', s.dataDir, 'run', s.file, '--', '/bin/sh', '-c', 'PATH=/usr/bin:/bin; cd; exec node .claude/paddock-hook.mjs'], {
        input: JSON.stringify({ tool_name: 'Bash', tool_input: { command } }),
      });
    const denied = call('rm -rf ~/work');
    expect(denied.code).toBe(0);
    expect(JSON.parse(denied.stdout)).toMatchObject({ hookSpecificOutput: { permissionDecision: 'deny' } });
    expect(denied.stdout).toContain('deny action Bash(rm*)');
    const allowed = call('ls');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toBe('');
  });

  it('says how to use it on a wrong harness or verb', () => {
    const s = setup();
    expect(paddock(['--data-dir', s.dataDir, 'hook', 'install', s.name, 'cursor']).stderr).toMatch(/unknown harness "cursor" \(known: claude-code\)/);
    expect(paddock(['--data-dir', s.dataDir, 'hook', 'remove', s.name, 'claude-code']).stderr).toMatch(/unknown hook verb/);
  });
});
