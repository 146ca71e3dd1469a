import { describe, expect, it } from 'vitest';
import { dataPaths, resolveDataDir } from '../../../src/core/data-dir/index.js';
import { PaddockError } from '../../../src/shared/errors.js';

describe('resolveDataDir: --data-dir > $PADDOCK_HOME > platform app-data folder', () => {
  const env = { PADDOCK_HOME: '/srv/paddock-env', XDG_CONFIG_HOME: '/xdg', APPDATA: 'C:\\Users\\u\\AppData\\Roaming' };

  it('the flag wins over the environment on every platform', () => {
    for (const platform of ['linux', 'darwin'] as const) expect(resolveDataDir({ flag: '/opt/pd', env, platform, home: '/home/u' })).toBe('/opt/pd');
    expect(resolveDataDir({ flag: 'D:\\pd', env, platform: 'win32', home: 'C:\\Users\\u' })).toBe('D:\\pd');
  });

  it('$PADDOCK_HOME wins over the platform folder', () => {
    expect(resolveDataDir({ env, platform: 'linux', home: '/home/u' })).toBe('/srv/paddock-env');
    expect(resolveDataDir({ env, platform: 'darwin', home: '/Users/u' })).toBe('/srv/paddock-env');
  });

  it('Linux: $XDG_CONFIG_HOME/Paddock, else ~/.config/Paddock (as Electron appData); a relative XDG value is ignored', () => {
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home: '/home/u' })).toBe('/xdg/Paddock');
    expect(resolveDataDir({ env: {}, platform: 'linux', home: '/home/u' })).toBe('/home/u/.config/Paddock');
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: 'rel/dir' }, platform: 'linux', home: '/home/u' })).toBe('/home/u/.config/Paddock');
  });

  it('macOS: ~/Library/Application Support/Paddock', () => {
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'darwin', home: '/Users/u' })).toBe('/Users/u/Library/Application Support/Paddock');
  });

  it('Windows: %APPDATA%\\Paddock, else the roaming folder under the home', () => {
    expect(resolveDataDir({ env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Paddock');
    expect(resolveDataDir({ env: {}, platform: 'win32', home: 'C:\\Users\\u' })).toBe('C:\\Users\\u\\AppData\\Roaming\\Paddock');
  });

  it('empty values count as unset; relative and ~ paths become absolute', () => {
    expect(resolveDataDir({ flag: '', env: { PADDOCK_HOME: '' }, platform: 'linux', home: '/home/u' })).toBe('/home/u/.config/Paddock');
    expect(resolveDataDir({ flag: '~/pd', env: {}, platform: 'linux', home: '/home/u' })).toBe('/home/u/pd');
    expect(resolveDataDir({ env: { PADDOCK_HOME: 'rel' }, platform: 'linux', home: '/home/u' })).toBe(`${process.cwd()}/rel`);
  });
});

describe('dataPaths', () => {
  it('lays out the database, socket, lock and agent folders', () => {
    const p = dataPaths('/d');
    expect(p).toMatchObject({ root: '/d', db: '/d/paddock.db', run: '/d/run', socket: '/d/run/paddock.sock', lock: '/d/run/host.lock', agents: '/d/agents' });
    expect(p.agentDir('alpha')).toBe('/d/agents/alpha');
    expect(p.agentHome('alpha')).toBe('/d/agents/alpha/home');
    expect(p.agentWorkspace('alpha')).toBe('/d/agents/alpha/workspace');
  });

  it('refuses agent names that would escape the agents folder', () => {
    const p = dataPaths('/d');
    for (const bad of ['..', '../x', 'a/b', '/etc', 'A', '']) expect(() => p.agentHome(bad)).toThrow(PaddockError);
  });
});
