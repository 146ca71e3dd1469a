import { describe, expect, it } from 'vitest';
import { compileGlob, literalRoot } from '../../../src/core/sandbox/glob.js';

const H = '/data/agents/a/home';
const m = (p: string, path: string): boolean => compileGlob(p, H)(path);

describe('rule path globs', () => {
  it('**/.env matches at any depth but not other names', () => {
    expect(m('**/.env', '/x/.env')).toBe(true);
    expect(m('**/.env', '/x/y/z/.env')).toBe(true);
    expect(m('**/.env', '/x/.envrc')).toBe(false);
    expect(m('**/.env', '/x/a.env')).toBe(false);
  });
  it('relative patterns match anywhere; absolute ones are anchored', () => {
    expect(m('*.pem', '/w/k/server.pem')).toBe(true);
    expect(m('/w/*.pem', '/w/server.pem')).toBe(true);
    expect(m('/w/*.pem', '/w/k/server.pem')).toBe(false);
  });
  it('~ is the agent home; a trailing /** also matches the folder itself', () => {
    expect(m('~/.ssh/**', `${H}/.ssh`)).toBe(true);
    expect(m('~/.ssh/**', `${H}/.ssh/id_rsa`)).toBe(true);
    expect(m('~/.ssh/**', `${H}/.sshx`)).toBe(false);
    expect(m('~', H)).toBe(true);
  });
  it('supports ?, [] and {a,b}, and escapes regex characters', () => {
    expect(m('/w/file?.txt', '/w/file1.txt')).toBe(true);
    expect(m('/w/[ab].c', '/w/b.c')).toBe(true);
    expect(m('/w/[!ab].c', '/w/b.c')).toBe(false);
    expect(m('**/*.{key,pem}', '/w/x.key')).toBe(true);
    expect(m('/w/a+b(1).txt', '/w/a+b(1).txt')).toBe(true);
    expect(m('/w/a.txt', '/w/aXtxt')).toBe(false);
  });
  it('literalRoot is the non-glob prefix of absolute patterns, null for relative ones', () => {
    expect(literalRoot('**/.env', H)).toBeNull();
    expect(literalRoot('~/proj/**/.env', H)).toBe(`${H}/proj`);
    expect(literalRoot('/etc/hosts', H)).toBe('/etc/hosts');
  });
});
