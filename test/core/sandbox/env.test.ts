import { describe, expect, it } from 'vitest';
import { sandboxEnv } from '../../../src/core/sandbox/env.js';

describe('sandboxEnv', () => {
  it('is exactly the contract variables, never the host environment', () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'host-secret';
    try {
      const env = sandboxEnv({ agent: 'bob', home: '/d/agents/bob/home' });
      expect(Object.keys(env).sort()).toEqual(['HOME', 'LANG', 'PADDOCK_AGENT', 'PATH', 'TERM', 'TZ', 'USER']);
      expect(env).toMatchObject({ HOME: '/d/agents/bob/home', USER: 'bob', PADDOCK_AGENT: 'bob', LANG: 'C.UTF-8', TZ: 'UTC' });
      expect(env.PATH?.split(':')[0]).toBe('/d/agents/bob/home/.local/bin');
      expect(env.PATH).toContain('/usr/bin');
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('adds extraEnv but never lets it override identity or smuggle variables', () => {
    const env = sandboxEnv({
      agent: 'bob',
      home: '/h',
      extraPath: ['/run/paddock/bin'],
      lang: 'fr_FR.UTF-8',
      extraEnv: { HTTPS_PROXY: 'http://127.0.0.1:1', HOME: '/root', USER: 'root', 'A=B': 'x', BAD: 'a\0b' },
    });
    expect(env.HTTPS_PROXY).toBe('http://127.0.0.1:1');
    expect(env.HOME).toBe('/h');
    expect(env.USER).toBe('bob');
    expect(env.LANG).toBe('fr_FR.UTF-8');
    expect('A=B' in env).toBe(false);
    expect('BAD' in env).toBe(false);
    // Paddock's helpers first: an agent's own ~/.local/bin cannot shadow paddock-ask (attack pass).
    expect(env.PATH?.split(':').slice(0, 2)).toEqual(['/run/paddock/bin', '/h/.local/bin']);
  });
});
