import { describe, expect, it } from 'vitest';
import { withNetwork, withSecretDecl } from '../../../src/core/agents/profile-edit.js';
import { parseProfile } from '../../../src/core/agents/profile.js';

describe('withNetwork', () => {
  it('changes only the value, keeping comments and layout', () => {
    const text = 'name: a\n# the switch\nnetwork: off # for now\ncommand: [sh,  -c, "x"]\nrules: |\n  allow net x.test\n';
    expect(withNetwork(text, 'on')).toBe('name: a\n# the switch\nnetwork: on # for now\ncommand: [sh,  -c, "x"]\nrules: |\n  allow net x.test\n');
  });

  it('adds the key when the profile has none, and accepts YAML 1.1 booleans', () => {
    expect(withNetwork('name: a\ncommand: [sh]', 'on')).toBe('name: a\ncommand: [sh]\nnetwork: on\n');
    expect(withNetwork('name: a\nnetwork: true\n', 'off')).toBe('name: a\nnetwork: off\n');
  });

  it('gives a profile that parses to the new value (block and flow styles)', () => {
    for (const text of ['name: a\nnetwork: off\n', '{name: a, network: off}\n', 'name: a\n']) {
      const { profile, diagnostics } = parseProfile(withNetwork(text, 'on'), 'p.yaml', { home: '/home/u' });
      expect(diagnostics).toEqual([]);
      expect(profile?.network).toBe('on');
    }
  });
});

describe('withSecretDecl (the Vault tab writes the delivery into the profile)', () => {
  it('adds secrets: at the end, keeping comments and the rest', () => {
    const text = '# mine\nname: a\nrules: |\n  allow net x.test   # keep\n';
    const out = withSecretDecl(text, { name: 'GH', as: 'header', hosts: ['api.github.com'], header: 'Authorization: Bearer {}' });
    expect(out.startsWith('# mine\nname: a\nrules: |\n  allow net x.test   # keep\n')).toBe(true);
    const { profile, diagnostics } = parseProfile(out, 'p.yaml', { home: '/home/u' });
    expect(diagnostics).toEqual([]);
    expect(profile?.secrets).toEqual([{ name: 'GH', as: 'header', hosts: ['api.github.com'], header: 'Authorization: Bearer {}' }]);
  });

  it('replaces the entry of the same name and appends a new one', () => {
    const text = 'name: a\nsecrets:\n  - { name: A, as: env }\n  - name: B\n    as: file\n';
    const out = withSecretDecl(withSecretDecl(text, { name: 'A', as: 'file' }), { name: 'C', as: 'env' });
    const { profile } = parseProfile(out, 'p.yaml', { home: '/home/u' });
    expect(profile?.secrets.map((s) => `${s.name}:${s.as}`)).toEqual(['A:file', 'B:file', 'C:env']);
  });
});
