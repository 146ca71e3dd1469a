import { describe, expect, it } from 'vitest';
import { compilePolicy, parseRules } from '../../../src/core/policy/index.js';

const HOME = '/data/agents/bot/home';
function policy(text: string) {
  const parsed = parseRules(text);
  expect(parsed.diagnostics).toEqual([]);
  return compilePolicy(parsed.rules, { home: HOME });
}

describe('defaults per kind', () => {
  const p = policy('');
  it.each([
    ['action', 'send-email', 'ask'],
    ['exec', '/usr/bin/ssh', 'allow'],
    ['secret', 'GITHUB_TOKEN', 'allow'],
    ['read', '/etc/passwd', 'allow'],
    ['write', '/tmp/x', 'allow'],
  ] as const)('%s %s → %s with no rule', (kind, subject, effect) => {
    const d = p.decide(kind, subject);
    expect(d).toMatchObject({ effect, rule: null, line: null });
  });
  it('read/write defaults say they follow the folders', () => expect(p.decide('read', '/x').reason).toBe('follows the folders granted'));
  it('net default is deny', () => expect(p.decideNet({ host: 'a.test', port: 443 }).effect).toBe('deny'));
});

describe('precedence for every kind', () => {
  it.each(['action', 'secret', 'exec', 'read', 'write'] as const)('%s: deny > ask > allow', (kind) => {
    const subj = { action: 'purchase', secret: 'TOKEN', exec: '/usr/bin/curl', read: '/srv/data', write: '/srv/data' }[kind];
    const pat = { action: 'purchase', secret: 'TOKEN', exec: 'curl', read: '/srv/data', write: '/srv/data' }[kind];
    expect(policy(`allow ${kind} ${pat}`).decide(kind, subj).effect).toBe('allow');
    expect(policy(`allow ${kind} ${pat}\nask ${kind} ${pat}`).decide(kind, subj)).toMatchObject({ effect: 'ask', line: 2 });
    expect(policy(`deny ${kind} ${pat}\nask ${kind} ${pat}\nallow ${kind} ${pat}`).decide(kind, subj)).toMatchObject({
      effect: 'deny',
      rule: `deny ${kind} ${pat}`,
      line: 1,
    });
  });
});

describe('two tiers: a rule naming the target beats a rule for any target', () => {
  it.each(['action', 'secret', 'exec', 'read', 'write'] as const)('%s: named allow beats deny/ask for any target; named deny beats allow for any target', (kind) => {
    const subj = { action: 'purchase', secret: 'TOKEN', exec: '/usr/bin/curl', read: '/srv/data', write: '/srv/data' }[kind];
    const pat = { action: 'purchase', secret: 'TOKEN', exec: 'curl', read: '/srv/data', write: '/srv/data' }[kind];
    const any = kind === 'read' || kind === 'write' ? '**' : '*';
    expect(policy(`deny ${kind} ${any}\nallow ${kind} ${pat}`).decide(kind, subj)).toMatchObject({ effect: 'allow', line: 2 });
    expect(policy(`ask ${kind} ${any}\nallow ${kind} ${pat}`).decide(kind, subj)).toMatchObject({ effect: 'allow', line: 2 });
    expect(policy(`allow ${kind} ${any}\ndeny ${kind} ${pat}`).decide(kind, subj)).toMatchObject({ effect: 'deny', line: 2 });
    // Within the any tier the old order holds, and other targets still get the any-tier rule.
    expect(policy(`allow ${kind} ${any}\nask ${kind} ${any}\nallow ${kind} ${pat}`).decide(kind, kind === 'action' || kind === 'secret' ? 'OTHER' : '/srv/other')).toMatchObject({ effect: 'ask', line: 2 });
  });
  it('/** and ~/** name something (the safer reading): a deny with them still beats a named allow', () => {
    expect(policy('deny read /**\nallow read /srv/data').decide('read', '/srv/data').effect).toBe('deny');
  });
});

describe('exec', () => {
  const p = policy('deny exec ssh\ndeny exec /opt/tools/**\ndeny exec python3*');
  it('a program name matches any path with that basename', () => {
    expect(p.decide('exec', '/usr/bin/ssh').effect).toBe('deny');
    expect(p.decide('exec', 'ssh').effect).toBe('deny');
    expect(p.decide('exec', '/home/x/../../usr/bin//ssh').effect).toBe('deny');
    expect(p.decide('exec', '/usr/bin/ssh-keygen').effect).toBe('allow');
    expect(p.decide('exec', '/usr/bin/python3.11').effect).toBe('deny');
  });
  it('a path glob matches paths', () => {
    expect(p.decide('exec', '/opt/tools/bin/x').effect).toBe('deny');
    expect(p.decide('exec', '/opt/other/x').effect).toBe('allow');
  });
  it('lists denied programs for the sandbox', () => {
    expect(p.deniedPrograms()).toEqual({ names: ['ssh', 'python3*'], paths: ['/opt/tools/**'] });
  });
});

describe('read / write globs', () => {
  const p = policy('deny read **/.env\ndeny read ~/.ssh\nallow write ~/out/*.txt\ndeny write /srv/?/x\ndeny read id_rsa');
  it('** crosses folders, including none', () => {
    expect(p.decide('read', '/srv/app/.env').effect).toBe('deny');
    expect(p.decide('read', '/.env').effect).toBe('deny');
    expect(p.decide('read', '/srv/app/.envrc').effect).toBe('allow');
  });
  it('~ is the agent home and a folder pattern covers its contents', () => {
    expect(p.decide('read', `${HOME}/.ssh/id_ed25519`).effect).toBe('deny');
    expect(p.decide('read', '~/.ssh').effect).toBe('deny');
    expect(p.decide('read', `${HOME}/.sshx`).effect).toBe('allow');
  });
  it('* stays in one folder, ? is one character', () => {
    expect(p.decide('write', `${HOME}/out/a.txt`)).toMatchObject({ effect: 'allow', line: 3 });
    expect(p.decide('write', `${HOME}/out/sub/a.txt`).rule).toBeNull();
    expect(p.decide('write', '/srv/a/x').effect).toBe('deny');
    expect(p.decide('write', '/srv/ab/x').effect).toBe('allow');
  });
  it('a bare name matches at any depth', () => expect(p.decide('read', '/a/b/id_rsa').effect).toBe('deny'));
  it('dot-dot in a subject cannot dodge a deny', () => expect(p.decide('read', '/tmp/../srv/app/x/../.env').effect).toBe('deny'));
  it('exposes path patterns with ~ expanded', () => {
    expect(p.pathPatterns('read', 'deny')).toEqual(['**/.env', `${HOME}/.ssh`, '**/id_rsa']);
    expect(p.pathPatterns('write', 'allow')).toEqual([`${HOME}/out/*.txt`]);
  });
});

describe('actions and secrets', () => {
  it('action patterns use * as the only wildcard, everything else literal', () => {
    const p = policy('ask action Bash(git push*)\ndeny action purchase\nallow action Read(?)');
    expect(p.decide('action', 'Bash(git push --force origin main)')).toMatchObject({ effect: 'ask', rule: 'ask action Bash(git push*)' });
    expect(p.decide('action', 'Bash(git pull)')).toMatchObject({ effect: 'ask', rule: null });
    expect(p.decide('action', 'purchase').effect).toBe('deny');
    expect(p.decide('action', 'purchases').rule).toBeNull();
    expect(p.decide('action', 'Read(x)').rule).toBeNull();
    expect(p.decide('action', 'Read(?)').effect).toBe('allow');
  });
  it('secret patterns gate delivery', () => {
    const p = policy('deny secret AWS_*\nask secret GITHUB_TOKEN');
    expect(p.decide('secret', 'AWS_SECRET').effect).toBe('deny');
    expect(p.decide('secret', 'GITHUB_TOKEN').effect).toBe('ask');
    expect(p.decide('secret', 'github_token').effect).toBe('allow');
  });
  it('lists rules by kind and effect with their lines', () => {
    const p = policy('allow net a.test\n# c\ndeny exec ssh');
    expect(p.rules('exec')).toEqual([{ effect: 'deny', kind: 'exec', pattern: 'ssh', text: 'deny exec ssh', line: 3 }]);
    expect(p.rules(undefined, 'allow').map((r) => r.text)).toEqual(['allow net a.test']);
  });
});
