import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfile, parseProfile } from '../../../src/core/agents/profile.js';
import { formatDiagnostic } from '../../../src/shared/errors.js';

const ctx = { home: '/home/u' };
const FIXTURES = 'test/fixtures/profiles';

/** The formatted diagnostics of a profile text. */
function check(text: string, file = 'p.yaml'): string[] {
  return parseProfile(text, file, ctx).diagnostics.map(formatDiagnostic);
}

describe('the PRODUCT.md example profile', () => {
  const r = loadProfile(`${FIXTURES}/example.yaml`, ctx);

  it('is valid, with defaults applied and ~ expanded', () => {
    expect(r.diagnostics).toEqual([]);
    expect(r.profile).toMatchObject({
      name: 'researcher',
      command: ['bash', '-lc', "claude --print 'summarise the papers'"],
      workspace: '/home/u/agents/researcher',
      folders: [{ path: '/home/u/Documents/papers', access: 'copy' }],
      network: 'on',
      rulesLine: 8,
      limits: { memory: 2 * 1024 ** 3, processes: 256, cpu: 1 },
      approvals: { timeout: 60 },
    });
    expect(r.profile?.secrets.map((s) => s.as)).toEqual(['env', 'header', 'file']);
  });

  it('gives rules and advisories the line they have in the file', () => {
    expect(r.ruleSet?.rules.map((x) => [x.line, x.col, x.text])).toEqual([
      [8, 3, 'allow net api.anthropic.com'],
      [9, 3, 'allow net *.githubusercontent.com'],
      [10, 3, 'ask net *'],
      [11, 3, 'deny exec ssh'],
      [12, 3, 'deny read **/.env'],
      [13, 3, 'ask action send-email'],
    ]);
    expect(r.ruleSet?.advisories.map((a) => [a.type, a.line])).toEqual([['do', 14], ['dont', 15]]);
  });
});

describe('errors point at the file line and column', () => {
  it('a bad rule on line 9 of the file is reported at FILE:9 naming the effect', () => {
    const file = `${FIXTURES}/bad-rule-line9.yaml`;
    const r = loadProfile(file, ctx);
    expect(r.profile).toBeNull();
    expect(r.diagnostics).toHaveLength(1);
    expect(formatDiagnostic(r.diagnostics[0]!)).toMatch(new RegExp(`^${file}:9:3: .*unknown effect "alow"`));
  });

  it('maps rule columns through the block indentation, blank lines and CRLF', () => {
    expect(check('name: a\nrules: |\n    allow net x\n    deny  nett y\n')[0]).toMatch(/^p\.yaml:4:11: unknown kind "nett"/);
    expect(check('name: a\nrules: |\n\n  allow net x\n\n  deny  nett y\n')[0]).toMatch(/^p\.yaml:6:9: /);
    expect(check('name: a\r\nrules: |\r\n  allow net x\r\n  deny  nett y\r\n')[0]).toMatch(/^p\.yaml:4:9: /);
    expect(check('name: a\nrules: |2\n     allow net x\n    deny  nett y\n')[0]).toMatch(/^p\.yaml:4:11: /);
  });

  it('maps a single-line rules string to its own line', () => {
    expect(check('name: a\nrules: "alow net x"\n')).toEqual(['p.yaml:2:9: unknown effect "alow" (expected allow, deny, ask, do or dont)']);
    const ok = parseProfile('name: a\nrules: allow net x.com\n', 'p.yaml', ctx);
    expect(ok.ruleSet?.rules[0]).toMatchObject({ line: 2, col: 8 });
  });

  it('refuses folded or multi-line flow rules (folding would join rule lines)', () => {
    expect(check('name: a\nrules: >\n  allow net x\n  deny net y\n')[0]).toMatch(/^p\.yaml:2:8: rules must be a literal block/);
    expect(check('name: a\nrules: allow net x\n  deny net y\n')[0]).toMatch(/^p\.yaml:2:8: rules over several lines/);
  });

  it('a bad enum points at the value and lists the choices', () => {
    expect(check('name: a\nfolders:\n  - { path: /x, access: rwx }\n')).toEqual(['p.yaml:3:25: access must be one of ro, rw, copy']);
  });

  it('an unknown key points at the key and lists the allowed keys', () => {
    expect(check('name: a\nfoo: 1\n')).toEqual([
      'p.yaml:2:1: unknown key "foo" (allowed: name, command, workspace, folders, network, rules, secrets, limits, approvals)',
    ]);
    expect(check('name: a\nlimits: { memory: 2GiB, disk: 3 }\n')).toEqual(['p.yaml:2:25: unknown key "disk" in limits (allowed: memory, processes, cpu)']);
  });

  it('wrong types name the field and what it must be', () => {
    expect(check('name: 5\n')).toEqual(['p.yaml:1:7: name must be a string']);
    expect(check('name: a\ncommand: 5\n')[0]).toMatch(/^p\.yaml:2:10: command must be a list of strings/);
    expect(check('name: a\nfolders: /x\n')[0]).toMatch(/^p\.yaml:2:10: folders must be a list/);
    expect(check('name: a\nlimits: { processes: abc }\n')).toEqual(['p.yaml:2:22: limits.processes must be a whole number such as 256']);
    expect(check('name: a\nnetwork: maybe\n')).toEqual(['p.yaml:2:10: network must be on or off']);
    expect(check('name: a\nlimits: { cpu: .nan }\n')).toEqual(['p.yaml:2:16: limits.cpu must be a number of cores such as 1.0 or 0.5']);
    // A number that is not whole was told "must be a number" (the conformance pass).
    expect(check('name: a\napprovals: { timeout: 1.5 }\n')).toEqual(['p.yaml:2:23: approvals.timeout must be a whole number of seconds such as 60']);
    expect(check('name: a\nlimits: { processes: 2.5 }\n')).toEqual(['p.yaml:2:22: limits.processes must be a whole number such as 256']);
  });

  it('a missing name is reported', () => {
    expect(check('network: on\n')).toEqual(['p.yaml:1:1: missing required key "name"']);
    expect(check('name: a\nfolders:\n  - { access: ro }\n')).toEqual(['p.yaml:3:5: missing required key "path" in folders[0]']);
  });

  it('YAML syntax errors, duplicate keys, extra documents, aliases and tags are errors with positions', () => {
    expect(check('name: [a\n')[0]).toMatch(/^p\.yaml:2:1: YAML syntax error/);
    expect(check('name: a\nname: b\n')).toEqual(['p.yaml:2:1: duplicate key "name": each key may appear only once in a mapping']);
    expect(check('name: a\n---\nname: b\n')[0]).toMatch(/^p\.yaml:2:1: a profile is a single YAML document/);
    expect(check('a: &x [1]\nname: *x\n')).toEqual(['p.yaml:2:7: aliases (*x) are not allowed in a profile: write the value out']);
    expect(check('name: !foo a\n')[0]).toMatch(/^p\.yaml:1:7: YAML: Unresolved tag/);
    expect(check('? [a]\n: 1\nname: a\n')[0]).toMatch(/^p\.yaml:1:3: keys must be plain words/);
  });

  it('an alias bomb is refused without expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`), 'name: a'].join('\n');
    const d = check(bomb);
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]).toMatch(/aliases/);
  });

  it('deeply nested input is refused before parsing, at the offending position', () => {
    expect(check(`name: a\nx: ${'['.repeat(100)}${']'.repeat(100)}\n`)).toEqual(['p.yaml:2:68: nested more than 64 levels deep: a profile is flat data']);
    const block = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(check(`name: a\n${block}\n`)[0]).toMatch(/nested more than 64 levels/);
  });

  it('caps the number of diagnostics and says how many more there are', () => {
    const text = `name: a\n${Array.from({ length: 300 }, (_, i) => `k${i}: 1`).join('\n')}\n`;
    const d = parseProfile(text, 'p.yaml', ctx).diagnostics;
    expect(d).toHaveLength(100);
    expect(d[99]?.message).toBe('… and 201 more problems (fix the ones above first)');
  });

  it('empty and non-mapping documents are errors at 1:1', () => {
    expect(check('')).toEqual(['p.yaml:1:1: the profile is empty: it needs at least "name: my-agent"']);
    expect(check('- a\n')).toEqual(['p.yaml:1:1: a profile must be a mapping of keys such as "name: my-agent"']);
  });

  it('diagnostics are sorted by line', () => {
    const d = parseProfile('name: A\nfoo: 1\nrules: |\n  alow net x\nbar: 2\n', 'p.yaml', ctx).diagnostics;
    expect(d.map((x) => x.line)).toEqual([1, 2, 4, 5]);
  });
});

describe('values and defaults', () => {
  it('applies defaults: bash -l, network off, default workspace, timeout 60', () => {
    const r = parseProfile('name: a\n', 'p.yaml', ctx);
    expect(r.profile).toEqual({
      name: 'a', command: ['bash', '-l'], workspace: null, folders: [], network: 'off', rules: '', rulesLine: 0,
      secrets: [], limits: { memory: null, processes: null, cpu: null }, approvals: { timeout: 60 },
    });
    expect(r.ruleSet).toEqual({ rules: [], advisories: [] });
  });

  it('runs a string command through /bin/sh -c', () => {
    expect(parseProfile('name: a\ncommand: echo hi && ls\n', 'p', ctx).profile?.command).toEqual(['/bin/sh', '-c', 'echo hi && ls']);
  });

  it('expands ~ and ~/ and refuses relative paths and ~user', () => {
    const r = parseProfile('name: a\nworkspace: ~/w/\nfolders:\n  - { path: ~/x/../y/, access: ro }\n', 'p', ctx);
    expect(r.profile?.workspace).toBe('/home/u/w');
    expect(r.profile?.folders[0]?.path).toBe('/home/u/y');
    expect(check('name: a\nworkspace: ~\n')).toEqual(['p.yaml:2:12: workspace has no value (in YAML an empty value or a bare ~ means nothing): write a value or remove the key']);
    expect(check('name: a\nworkspace: foo/bar\n')).toEqual(['p.yaml:2:12: workspace "foo/bar" must be an absolute path or start with ~/']);
    expect(check('name: a\nfolders:\n  - { path: ~bob/x, access: rw }\n')[0]).toMatch(/^p\.yaml:3:13: folder path "~bob\/x": only ~ and ~\/…/);
  });

  it('refuses a workspace that would contain the whole home folder', () => {
    for (const w of ['/', '~/', '/home']) expect(check(`name: a\nworkspace: ${w}\n`)[0], w).toMatch(/^p\.yaml:2:12: workspace .* would contain your whole home folder/);
    expect(parseProfile('name: a\nworkspace: /home/u2\n', 'p', ctx).profile?.workspace).toBe('/home/u2');
  });

  it('reads network as on/off, also from YAML 1.1 booleans', () => {
    expect(parseProfile('name: a\nnetwork: on\n', 'p', ctx).profile?.network).toBe('on');
    expect(parseProfile('name: a\nnetwork: true\n', 'p', ctx).profile?.network).toBe('on');
    expect(parseProfile('%YAML 1.1\n---\nname: a\nnetwork: off\n', 'p', ctx).profile?.network).toBe('off');
  });

  it.each([
    ['512MiB', 512 * 1024 ** 2],
    ['2GiB', 2 * 1024 ** 3],
    ['1.5G', 1.5 * 1024 ** 3],
    ['100MB', 100 * 1000 ** 2],
    ['64m', 64 * 1024 ** 2],
    ['1073741824', 1024 ** 3],
  ])('memory %s is %d bytes', (v, bytes) => {
    expect(parseProfile(`name: a\nlimits: { memory: ${v} }\n`, 'p', ctx).profile?.limits.memory).toBe(bytes);
  });

  it('refuses memory sizes that are too small, too large or not sizes', () => {
    expect(check('name: a\nlimits: { memory: 512 }\n')[0]).toMatch(/^p\.yaml:2:19: memory 512 is 512 bytes, below 1MiB/);
    expect(check('name: a\nlimits: { memory: 99999999999TiB }\n')[0]).toMatch(/memory is too large/);
    expect(check('name: a\nlimits: { memory: 10XB }\n')[0]).toMatch(/memory must be a size/);
  });

  it('refuses secrets that would undermine the sandbox', () => {
    expect(check("name: a\nsecrets:\n  - { name: K, as: header, hosts: ['*'], header: 'X: {}' }\n")[0]).toMatch(/^p\.yaml:3:36: a header secret must name its hosts/);
    expect(check('name: a\nsecrets:\n  - { name: HTTPS_PROXY, as: env }\n')[0]).toMatch(/^p\.yaml:3:13: secret name HTTPS_PROXY is reserved/);
    expect(check('name: a\nsecrets:\n  - { name: LD_PRELOAD, as: env }\n')[0]).toMatch(/reserved/);
    expect(check('name: a\nsecrets:\n  - { name: K, as: header, hosts: [a.com], header: "X: {}\\r\\nHost: evil" }\n')[0]).toMatch(/header must be a single line/);
    expect(check('name: a\nsecrets:\n  - { name: K, as: env }\n  - { name: K, as: file }\n')).toEqual(['p.yaml:4:13: secret K is declared twice: keep one declaration']);
    expect(check('name: a\nsecrets:\n  - { name: K, as: env, hosts: [a.com] }\n')[0]).toMatch(/hosts and header only apply to as: header/);
  });

  it('refuses folder entries that are ambiguous or would overwrite each other', () => {
    expect(check('name: a\nfolders:\n  - { path: /x, access: ro }\n  - { path: /x/, access: rw }\n')).toEqual(['p.yaml:4:13: folder /x is listed twice: keep one entry']);
    expect(check('name: a\nfolders:\n  - { path: /a/p, access: copy }\n  - { path: /b/p, access: copy }\n')[0]).toMatch(/^p\.yaml:4:13: folder \/b\/p would be copied to <workspace>\/p, like \/a\/p/);
    expect(check('name: a\nfolders:\n  - { path: /, access: copy }\n')[0]).toMatch(/cannot be copied/);
    expect(check('name: a\nfolders:\n  - { path: /x/PADDOCK.md, access: copy }\n')[0]).toMatch(/cannot be copied .*PADDOCK\.md/);
  });

  it('refuses empty programs and NUL bytes in commands', () => {
    expect(check("name: a\ncommand: ['']\n")[0]).toMatch(/program .* must not be empty/);
    expect(check('name: a\ncommand: ["a\\0b"]\n')[0]).toMatch(/NUL/);
  });
});

describe('loadProfile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-profile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a missing file, a directory, non-UTF-8 and an oversized file as diagnostics at 1:1', () => {
    expect(loadProfile(join(dir, 'nope.yaml'), ctx).diagnostics.map(formatDiagnostic)).toEqual([`${join(dir, 'nope.yaml')}:1:1: no such file: check the path`]);
    mkdirSync(join(dir, 'd.yaml'));
    expect(loadProfile(join(dir, 'd.yaml'), ctx).diagnostics[0]?.message).toMatch(/not a regular file/);
    writeFileSync(join(dir, 'bin.yaml'), Buffer.from([0x6e, 0x3a, 0xff, 0xfe]));
    expect(loadProfile(join(dir, 'bin.yaml'), ctx).diagnostics[0]?.message).toMatch(/not UTF-8/);
    writeFileSync(join(dir, 'big.yaml'), `name: a\n# ${'x'.repeat(1024 * 1024)}\n`);
    expect(loadProfile(join(dir, 'big.yaml'), ctx).diagnostics[0]?.message).toMatch(/larger than 256 KiB/);
  });

  it('uses the path as given in diagnostics', () => {
    const text = readFileSync(`${FIXTURES}/bad-rule-line9.yaml`, 'utf8');
    writeFileSync(join(dir, 'x.yaml'), text);
    expect(loadProfile(join(dir, 'x.yaml'), ctx).diagnostics[0]?.file).toBe(join(dir, 'x.yaml'));
  });
});
