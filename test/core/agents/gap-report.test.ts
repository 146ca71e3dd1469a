import { describe, expect, it } from 'vitest';
import { gapReport } from '../../../src/core/agents/gap-report.js';
import { loadProfile, parseProfile } from '../../../src/core/agents/profile.js';
import type { GapFinding } from '../../../src/shared/api.js';

const ctx = { home: '/home/u' };

/** Parses a profile (failing the test on diagnostics) and returns its gap report. */
function gaps(text: string): GapFinding[] {
  const r = parseProfile(text, 'p.yaml', ctx);
  expect(r.diagnostics).toEqual([]);
  return gapReport(r.profile!, r.ruleSet!);
}

function codes(f: GapFinding[]): string[] {
  return f.map((g) => g.code);
}

const LIMITED = 'limits: { memory: 1GiB, processes: 64, cpu: 1 }\n';

describe('gap report of the PRODUCT.md example', () => {
  const r = loadProfile('test/fixtures/profiles/example.yaml', ctx);
  const report = gapReport(r.profile!, r.ruleSet!);

  it('flags the env and file secrets, the advisory lines and the tunnel tools, not what the rules cover', () => {
    expect(codes(report)).toEqual(['action-rules-need-asking', 'advisory-not-enforced', 'secret-env-readable', 'secret-file-readable', 'exec-tunnel-tools', 'ask-timeout', 'protected-by-default']);
    const env = report.find((g) => g.code === 'secret-env-readable')!;
    expect(env.message).toMatch(/GITHUB_TOKEN.*read it and send it to any host/);
    expect(env.suggestion).toMatch(/as: header/);
    expect(report.find((g) => g.code === 'advisory-not-enforced')?.message).toContain('Never create accounts');
    // It has `ask net *` and reaches api.openai.com through it: neither gap applies.
    expect(codes(report)).not.toContain('net-unknown-denied-silently');
    expect(codes(report)).not.toContain('secret-header-unused');
    expect(report.find((g) => g.code === 'exec-tunnel-tools')?.suggestion).toBe('deny exec nc\ndeny exec socat');
  });

  it('is sorted by severity then code, and deterministic', () => {
    const order = { high: 0, medium: 1, low: 2, info: 3 };
    const keys = report.map((g) => [order[g.severity], g.code] as const);
    expect([...keys].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))).toEqual(keys);
    expect(gapReport(r.profile!, r.ruleSet!)).toEqual(report);
    for (const g of report) expect(g.code).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});

describe('gap findings', () => {
  it('network on without ask net * : unknown hosts are denied silently', () => {
    const f = gaps(`name: a\nnetwork: on\nrules: |\n  allow net x.com\n  deny exec ssh\n  deny exec nc\n  deny exec socat\n${LIMITED}`);
    expect(f.find((g) => g.code === 'net-unknown-denied-silently')).toMatchObject({ severity: 'low', suggestion: 'ask net *' });
  });

  it('allow net * is high, and names its line', () => {
    const f = gaps(`name: a\nnetwork: on\nrules: |\n  allow net *\n${LIMITED}`);
    expect(f[0]).toMatchObject({ severity: 'high', code: 'net-allow-any' });
    expect(f[0]?.message).toContain('line 4');
  });

  it('rules opening private, loopback or metadata addresses are flagged', () => {
    const f = gaps(`name: a\nnetwork: on\nrules: |\n  allow net 169.254.169.254\n  allow net localhost:8000\n  allow net 10.0.0.0/8\n  deny net 192.168.0.0/16\n${LIMITED}`);
    const p = f.filter((g) => g.code === 'net-private-access');
    expect(p.map((g) => g.severity)).toEqual(['high', 'medium']);
    expect(p.map((g) => g.message).join(' ')).not.toContain('192.168');
  });

  it('net rules with the network off have no effect (info), and header secrets are never used', () => {
    const f = gaps(`name: a\nrules: |\n  allow net api.x.com\nsecrets:\n  - { name: K, as: header, hosts: [api.x.com], header: "Authorization: Bearer {}" }\n${LIMITED}`);
    expect(f.find((g) => g.code === 'net-rules-while-off')?.severity).toBe('info');
    expect(f.find((g) => g.code === 'secret-header-unused')?.message).toMatch(/network is off/);
  });

  it('a header secret bound to hosts no rule reaches, or to a wildcard, is flagged', () => {
    const f = gaps(`name: a\nnetwork: on\nrules: |\n  allow net api.x.com\nsecrets:\n  - { name: K, as: header, hosts: [api.y.com, "*.x.com"], header: "X-Key: {}" }\n${LIMITED}`);
    expect(f.find((g) => g.code === 'secret-header-unused')).toMatchObject({ suggestion: 'allow net api.y.com\nallow net *.x.com' });
    expect(f.find((g) => g.code === 'secret-header-wildcard-host')?.severity).toBe('medium');
  });

  it('missing limits: medium for memory/processes, with a suggestion', () => {
    const none = gaps('name: a\n').find((g) => g.code === 'limits-missing');
    expect(none).toMatchObject({ severity: 'medium', suggestion: 'limits: { memory: 2GiB, processes: 256, cpu: 1.0 }' });
    expect(gaps('name: a\nlimits: { memory: 1GiB, processes: 9 }\n').find((g) => g.code === 'limits-missing')?.severity).toBe('low');
    expect(codes(gaps(`name: a\n${LIMITED}`))).not.toContain('limits-missing');
  });

  it('rw folders are changed in place; / is the whole filesystem', () => {
    const f = gaps(`name: a\nfolders:\n  - { path: ~/src, access: rw }\n  - { path: /, access: ro }\n${LIMITED}`);
    expect(f.find((g) => g.code === 'folder-rw-in-place')?.message).toContain('/home/u/src');
    expect(f.find((g) => g.code === 'folder-whole-filesystem')?.severity).toBe('high');
    expect(f.find((g) => g.code === 'protected-by-default')?.message).toMatch(/\.git\/hooks.*read-only by default/);
  });

  it('an allow write rule that re-opens .git/hooks or rc files is flagged instead of the default note', () => {
    for (const rule of ['allow write /home/u/src/**', 'allow write ~/.bashrc', 'allow write **']) {
      const f = gaps(`name: a\nfolders:\n  - { path: ~/src, access: rw }\nrules: |\n  ${rule}\n${LIMITED}`);
      expect(codes(f), rule).toContain('write-reopens-protected');
      expect(codes(f), rule).not.toContain('protected-by-default');
    }
    expect(codes(gaps(`name: a\nrules: |\n  allow write /home/u/out/*.txt\n${LIMITED}`))).not.toContain('write-reopens-protected');
  });

  it('an allow write glob outside the workspace and rw folders is said to grant nothing, and names the rule that would', () => {
    const f = gaps(`name: a\nrules: |\n  allow write /srv/data/**\n${LIMITED}`);
    const idle = f.find((g) => g.code === 'write-glob-grants-nothing');
    expect(idle?.message).toContain('allow write /srv/data/** (line 3) grants nothing');
    expect(idle?.suggestion).toContain('allow write /srv/data');
    expect(codes(f)).not.toContain('write-reopens-protected');
    // Positive control: inside a rw folder the same glob lifts protections, and says so.
    const g = gaps(`name: a\nfolders:\n  - { path: /srv, access: rw }\nrules: |\n  allow write /srv/data/**\n${LIMITED}`);
    expect(codes(g)).not.toContain('write-glob-grants-nothing');
    expect(codes(g)).toContain('write-reopens-protected');
  });

  it('the default note says what the git protection looks like to the agent and names the rule that lifts it for one repository (issue 16 item 6)', () => {
    const f = gaps(`name: a\nfolders:\n  - { path: ~/src, access: rw }\n${LIMITED}`);
    const note = f.find((g) => g.code === 'protected-by-default')!;
    expect(note.message).toContain('Device or resource busy');
    expect(note.message).toContain('allow write REPO/.git/config');
    expect(note.suggestion).toContain('allow write REPO/.git/config');
  });

  it('allow write naming one repository\'s .git/config is a precise low finding, not "re-opens hooks and rc files"', () => {
    const f = gaps(`name: a\nfolders:\n  - { path: ~/src, access: rw }\nrules: |\n  allow write ~/src/app/.git/config\n${LIMITED}`);
    expect(codes(f)).toContain('write-git-config');
    expect(codes(f)).not.toContain('write-reopens-protected');
    const g = f.find((x) => x.code === 'write-git-config')!;
    expect(g.severity).toBe('low');
    expect(g.message).toMatch(/hooks and every other repository stay read-only/);
    // A glob over every repository's config is still the broad finding.
    expect(codes(gaps(`name: a\nrules: |\n  allow write ~/src/**/.git/config\n${LIMITED}`))).toContain('write-reopens-protected');
  });

  it('shadowed and repeated rules are low findings', () => {
    const f = gaps(`name: a\nrules: |\n  allow exec curl\n  deny exec curl\n  deny read /**\n  allow read /x/**\n  deny exec wget\n  deny exec wget\n${LIMITED}`);
    expect(f.find((g) => g.code === 'rule-shadowed')?.message).toMatch(/allow exec curl; allow read \/x\/\*\* \(lines 3, 6\)/);
    // `deny read **` is for any target: the named allow wins over it, so it is not shadowed.
    const g = gaps(`name: a\nrules: |\n  deny read **\n  allow read /x/**\n${LIMITED}`);
    expect(codes(g)).not.toContain('rule-shadowed');
    expect(f.find((g) => g.code === 'rule-repeated')?.message).toMatch(/deny exec wget \(line 8\)/);
  });

  it('secret rules naming undeclared secrets never match', () => {
    const f = gaps(`name: a\nrules: |\n  deny secret NOPE\n${LIMITED}`);
    expect(f.find((g) => g.code === 'secret-rule-undeclared')?.message).toContain('deny secret NOPE');
  });

  it('action rules say they hold only for an agent that asks (principle 1); net rules get no such note', () => {
    const f = gaps(`name: a\nnetwork: on\nrules: |\n  ask action purchase\n  deny action send-email\n  ask net *\n${LIMITED}`);
    const g = f.find((x) => x.code === 'action-rules-need-asking');
    expect(g?.severity).toBe('medium');
    expect(g?.message).toMatch(/^ask action purchase; deny action send-email \(lines 4, 5\) apply only when the agent asks first through the ask gate .*not stopped by them\.$/);
    expect(codes(gaps(`name: a\nnetwork: on\nrules: |\n  ask net *\n${LIMITED}`))).not.toContain('action-rules-need-asking');
  });

  it('ask rules mention the approval timeout', () => {
    const f = gaps(`name: a\nrules: |\n  ask action purchase\napprovals: { timeout: 30 }\n${LIMITED}`);
    expect(f.find((g) => g.code === 'ask-timeout')?.message).toMatch(/30 s/);
  });
});

describe('two-tier precedence', () => {
  it('a named allow under ask net * is not reported as overridden (the named rule wins)', () => {
    const f = gaps(`name: a\nnetwork: on\n${LIMITED}rules: |\n  allow net api.example.com\n  ask net *\n`);
    expect(codes(f)).not.toContain('net-allow-overridden-by-ask');
    expect(codes(f)).not.toContain('rule-shadowed');
  });
  it('deny net * does not shadow named allows, only other any-target rules', () => {
    const f = gaps(`name: a\nnetwork: on\n${LIMITED}rules: |\n  allow net api.example.com\n  allow net *\n  deny net *\n`);
    const shadowed = f.find((g) => g.code === 'rule-shadowed');
    expect(shadowed?.message).toMatch(/^allow net \* \(line 6\)/);
    expect(f.find((g) => g.code === 'net-named-beats-any')?.message).toContain('allow net api.example.com');
  });
});

describe('localhost rules', () => {
  it('a localhost, 127.0.0.1 or ::1 rule is flagged and the host.paddock.internal rule suggested', () => {
    const f = gaps(`name: a\nnetwork: on\n${LIMITED}rules: |\n  allow net localhost:11434\n  allow net 127.0.0.1:8000-8100\n  ask net [::1]:*\n`);
    const l = f.filter((g) => g.code === 'net-localhost-rule');
    expect(l.map((g) => g.suggestion).sort()).toEqual(['allow net host.paddock.internal:11434', 'allow net host.paddock.internal:8000-8100', 'ask net host.paddock.internal:*']);
    expect(l[0]?.message).toMatch(/agent's own machine.*host\.paddock\.internal/);
  });
  it('a host.paddock.internal rule gets no such warning', () => {
    const f = gaps(`name: a\nnetwork: on\n${LIMITED}rules: |\n  allow net host.paddock.internal:11434\n`);
    expect(codes(f)).not.toContain('net-localhost-rule');
    expect(codes(f)).not.toContain('net-private-access');
  });
});

describe('decoys (issue 18)', () => {
  it('says so in one info line when the agent has decoys, and not otherwise', () => {
    const r = parseProfile('name: d\ncommand: [sh]\n', 'p.yaml', { home: '/home/u' });
    expect(gapReport(r.profile!, r.ruleSet!, { decoys: true }).filter((g) => g.code === 'decoys-placed').map((g) => g.severity)).toEqual(['info']);
    expect(gapReport(r.profile!, r.ruleSet!).some((g) => g.code === 'decoys-placed')).toBe(false);
  });
});
