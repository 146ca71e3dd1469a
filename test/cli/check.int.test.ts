import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, paddock, ROOT, tempDir } from '../helpers/cli.js';
import { PRESETS } from '../../src/renderer/lib/presets.js';

const EXAMPLE = join(ROOT, 'test', 'fixtures', 'profiles', 'example.yaml');
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function profileFile(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

/** Gap findings that point at a problem with a profile's own rules (not at what no rule addresses). */
const RULE_PROBLEMS = ['rule-shadowed', 'rule-repeated', 'net-allow-overridden-by-ask', 'net-localhost-rule', 'net-private-access', 'net-allow-any', 'secret-rule-undeclared', 'net-named-beats-any'];

describe('the example profile and every preset pass paddock check with no warning about their own rules', () => {
  const cases: [string, string][] = [['PRODUCT.md example', readFileSync(EXAMPLE, 'utf8')], ...PRESETS.map((p): [string, string] => [p.id, p.yaml(`preset-${p.id}`)])];
  it.each(cases)('%s', (id, yaml) => {
    const r = paddock(['check', profileFile(`${id.replace(/\W/g, '-')}.yaml`, yaml)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const code of RULE_PROBLEMS) expect(r.stdout, code).not.toContain(`[${code}]`);
  });
});

describe('the Claude Code and Codex presets turn non-essential traffic off (issue 16 item 8)', () => {
  const yaml = (id: string): string => PRESETS.find((p) => p.id === id)!.yaml(`preset-${id}`);
  it('Claude Code runs with CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 and allows no telemetry host', () => {
    expect(yaml('claude-code')).toContain('command: [env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1, claude]');
    expect(yaml('claude-code')).not.toMatch(/allow net (statsig|sentry)/);
  });
  it('Codex runs with its analytics off', () => {
    expect(yaml('codex')).toContain('command: [codex, -c, analytics.enabled=false]');
  });
  it.each(['claude-code', 'codex'])('%s passes paddock check with no warning', (id) => {
    const r = paddock(['check', profileFile(`quiet-${id}.yaml`, yaml(id))]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/warning/i);
  });
});

describe('paddock check', () => {
  it('accepts the example profile of PRODUCT.md and prints a gap report', () => {
    const r = paddock(['check', EXAMPLE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid profile for agent "researcher"');
    expect(r.stdout).toMatch(/Gap report/);
    // The example delivers GITHUB_TOKEN as env and has dont lines: both must be reported.
    expect(r.stdout).toMatch(/GITHUB_TOKEN/);
    expect(r.stdout).toMatch(/advisory/i);
    expect(r.stdout).toMatch(/suggested: /);
  });

  it('reports a bad rule on line 9 as FILE:9:COL naming the unknown effect, exit 2', () => {
    const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
    const idx = lines.findIndex((l) => l.includes('allow net *.githubusercontent.com'));
    lines[idx] = lines[idx]!.replace('allow net *.githubusercontent.com', 'alow net x.com');
    // Move the bad rule to line 9 exactly, as the acceptance line says.
    expect(idx + 1).toBe(9);
    const file = profileFile('bad-rule.yaml', lines.join('\n'));
    const r = paddock(['check', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:\\d+: .*alow`));
    expect(r.stderr).toMatch(/unknown effect/);
  });

  it('reports a bad YAML value with its line (access: rwx), exit 2', () => {
    const file = profileFile('bad-access.yaml', 'name: a\nfolders:\n  - { path: /tmp, access: rwx }\n');
    const r = paddock(['check', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: .*access`, 'm'));
    expect(r.stderr).toMatch(/ro, rw, copy/);
  });

  it('names the file as given on the command line', () => {
    profileFile('unknown-key.yaml', 'name: a\nnetwrok: on\n');
    const r = paddock(['check', 'unknown-key.yaml'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^unknown-key\.yaml:2:1: .*netwrok/m);
  });

  it('a missing file is a clear error, not a stack trace', () => {
    const r = paddock(['check', join(tmp.dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.yaml:1:1: cannot read the profile: no such file/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--json prints the gap report as JSON Lines', () => {
    const r = paddock(['check', EXAMPLE, '--json']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; severity: string; code: string });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatchObject({ type: 'gap', severity: expect.stringMatching(/high|medium|low|info/) });
  });
});

describe('the command line', () => {
  it('--version prints the version', () => {
    const r = paddock(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^paddock \d+\.\d+\.\d+\n$/);
  });

  it('a closed output pipe ends quietly (no stack trace)', () => {
    // `true` exits before paddock has even started: every write meets a pipe with no reader (EPIPE).
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" --help | true; "${process.execPath}" "${BIN}" check "${EXAMPLE}" | true`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
  });

  it('--help lists the commands', () => {
    const r = paddock(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['check', 'run', 'ps', 'pause', 'resume', 'kill', 'events', 'log', 'doctor']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--frob', 'check'], /unknown global option --frob/],
    [['check', '--frob', 'x.yaml'], /unknown option --frob/],
    [['check'], /missing PROFILE/],
    [['check', 'a', 'b'], /unexpected argument "b"/],
    [['--data-dir'], /--data-dir needs a value/],
    [['kill'], /missing NAME/],
    [['net', 'a', 'sideways'], /on or off/],
    [['events', '--limit', 'many'], /--limit must be/],
  ])('usage error for %j: exit 2, one clear message', (args, message) => {
    const r = paddock(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^paddock: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('commands that need a host say so with exit 125 when none runs', () => {
    const d = tempDir();
    try {
      for (const args of [['ps'], ['pause', 'x'], ['kill', '--all'], ['net', 'x', 'on']]) {
        const r = paddock(['--data-dir', d.dir, ...args]);
        expect(r.code).toBe(125);
        expect(r.stderr).toMatch(/no Paddock host is running/);
      }
    } finally {
      d.cleanup();
    }
  });
});
