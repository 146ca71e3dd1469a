import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, tempDir } from '../helpers/cli.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/**
 * A newcomer's first profile: the mistakes they make (a URL where a host goes, a list where the
 * rules text goes, a unit on a number, a tab) each get one FILE:LINE:COL error that says what to
 * write instead, not the parser's own words.
 */
describe('paddock check: first-profile mistakes name the fix', () => {
  const cases: [string, string, string][] = [
    ['a URL in a net rule', 'name: a\nrules: |\n  allow net https://api.anthropic.com/v1/messages\n', 'x.yaml:3:13: invalid net pattern: a net rule names a host, not a URL: write api.anthropic.com (add :PORT only for a port other than 80 and 443)'],
    ['a URL with a port and a login', 'name: a\nrules: |\n  allow net http://me@example.com:8080/\n', 'x.yaml:3:13: invalid net pattern: a net rule names a host, not a URL: write example.com:8080 (add :PORT only for a port other than 80 and 443)'],
    ['a host with a path', 'name: a\nrules: |\n  allow net api.anthropic.com/v1\n', 'x.yaml:3:30: invalid net pattern: a net rule names a host, not a path: write api.anthropic.com (the proxy decides by host and port only)'],
    ['rules as a YAML list', 'name: a\nrules:\n  - allow net example.com\n', 'x.yaml:3:3: rules must be a block of text: write "rules: |" and then one rule per line, indented under it'],
    ['cpu as a percentage', 'name: a\nlimits: { cpu: 200% }\n', 'x.yaml:2:16: limits.cpu must be a number of cores such as 1.0 or 0.5'],
    ['processes as a word', 'name: a\nlimits: { processes: many }\n', 'x.yaml:2:22: limits.processes must be a whole number such as 256'],
    ['a timeout with a unit', 'name: a\napprovals: { timeout: 1m }\n', 'x.yaml:2:23: approvals.timeout must be a whole number of seconds such as 60'],
    ['a number in the command', 'name: a\ncommand: [sleep, 600]\n', 'x.yaml:2:18: command[1] is the number 600, not a word: quote it ("600"); every word of command is a string'],
    ['a boolean in the command', 'name: a\ncommand:\n  - env\n  - true\n', 'x.yaml:4:5: command[1] is the boolean true, not a word: quote it ("true"); every word of command is a string'],
    ['a tab in the rules', 'name: a\nrules: |\n\tallow net example.com\n', 'x.yaml:3:1: YAML syntax error: this line is indented with a tab; YAML indents with spaces only'],
  ];
  it.each(cases)('%s', (_what, yaml, error) => {
    writeFileSync(join(tmp.dir, 'x.yaml'), yaml);
    const r = paddock(['check', 'x.yaml'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${error}\npaddock: x.yaml is not a valid profile (1 error)\n`);
  });

  it('CIDR ranges, IPv6 ranges and host:port rules are still valid', () => {
    writeFileSync(join(tmp.dir, 'ok.yaml'), 'name: a\nrules: |\n  allow net 10.0.0.0/8\n  allow net fd00::/8\n  allow net example.com:8443\n');
    const r = paddock(['check', 'ok.yaml'], { cwd: tmp.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('paddock check: a valid profile that paddock run would refuse on this machine says so', () => {
  it('names a missing folder, the home granted and a kernel folder granted, before the gap report; a subfolder that exists is fine', () => {
    const home = join(tmp.dir, 'home');
    const code = join(home, 'code');
    mkdirSync(code, { recursive: true });
    writeFileSync(
      join(tmp.dir, 'here.yaml'),
      `name: a\nfolders:\n  - { path: ${code}, access: copy }\n  - { path: ${join(home, 'cdoe')}, access: ro }\n  - { path: ${home}, access: ro }\nrules: |\n  allow write /\n  allow read /proc/1\n  allow read ~/only-the-agents\n`,
    );
    const r = paddock(['check', 'here.yaml'], { cwd: tmp.dir, env: { ...process.env, HOME: home } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const head = r.stdout.split('\n\n')[0]!.split('\n');
    expect(head).toEqual([
      'here.yaml: valid profile for agent "a" (3 enforced rules, 0 advisory)',
      `here.yaml: on this machine, folder ${join(home, 'cdoe')} (folders[1], ro) does not exist here (create it, or fix the path): paddock run refuses it`,
      `here.yaml: on this machine, folder ${home} (folders[2], ro) is your home folder or contains it (grant a subfolder): paddock run refuses it`,
      'here.yaml: on this machine, rule "allow write /" (line 7) grants /, which is your home folder or contains it (grant a subfolder): paddock run refuses it',
      'here.yaml: on this machine, rule "allow read /proc/1" (line 8) grants /proc/1, which lies under /proc (devices, kernel interfaces, sockets): paddock run refuses it',
    ]);
  });
});

describe('a usage mistake', () => {
  it('is said in one line, followed by the usage line and where the help is (not the whole help)', () => {
    const r = paddock(['check']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('paddock: missing PROFILE (the path of a YAML profile)\nusage: paddock check PROFILE [--instructions]\n(paddock check --help says more)\n');
  });
});
