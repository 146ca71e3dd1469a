import { describe, expect, it } from 'vitest';
import { seatbeltProfile } from '../../../src/core/sandbox/seatbelt.js';
import { rule } from './helpers.js';

const spec = {
  dataDir: '/Users/u/Library/Application Support/Paddock',
  home: '/Users/u/Library/Application Support/Paddock/agents/r/home',
  workspace: '/Users/u/agents/r',
  folders: [
    { path: '/Users/u/papers', access: 'ro' as const },
    { path: '/Users/u/out', access: 'rw' as const },
  ],
  rules: [rule('deny read **/.env'), rule('deny exec ssh'), rule('deny write ~/keep'), rule('allow write **/.vscode/**')],
};

describe('seatbeltProfile', () => {
  const text = seatbeltProfile(spec, { proxyPort: 41234 });
  const lines = text.split('\n');

  it('denies by default and allows writes only to home, workspace and rw folders', () => {
    expect(lines[0]).toBe('(version 1)');
    expect(lines[1]).toBe('(deny default)');
    const write = lines.find((l) => l.startsWith('(allow file-write*'));
    expect(write).toContain('(subpath "/Users/u/agents/r")');
    expect(write).toContain('(subpath "/Users/u/out")');
    expect(write).not.toContain('/Users/u/papers');
    expect(text).toMatch(/\(allow file-read\* [^\n]*\(subpath "\/Users\/u\/papers"\)/);
    expect(text).not.toMatch(/\(allow file-read\* \(subpath "\/Users\/u"\)/);
  });

  it('hides the data dir but re-allows the agent home inside it', () => {
    const deny = lines.findIndex((l) => l.startsWith('(deny file-read* file-write* (subpath "/Users/u/Library/Application Support/Paddock")'));
    const reallow = lines.findIndex((l) => l.startsWith('(allow file-read* file-write* (subpath "/Users/u/Library/Application Support/Paddock/agents/r/home")'));
    expect(deny).toBeGreaterThan(0);
    expect(reallow).toBeGreaterThan(deny);
  });

  it("hides other data dirs too and keeps Paddock's own code read-only, after the re-allowed home and workspace", () => {
    const code = ['/Users/u/src/paddock/dist', '/Users/u/src/paddock/node_modules'];
    const t = seatbeltProfile({ ...spec, workspace: '/Users/u/src/paddock', otherDataDirs: ['/Users/u/paddock-b'], readOnlyCode: code }, { proxyPort: null }).split('\n');
    const other = t.findIndex((l) => l === '(deny file-read* file-write* (subpath "/Users/u/paddock-b"))');
    const reallow = t.findIndex((l) => l.startsWith('(allow file-read* file-write* (subpath "/Users/u/Library/Application Support/Paddock/agents/r/home")'));
    const ro = t.findIndex((l) => l === '(deny file-write* (subpath "/Users/u/src/paddock/dist") (subpath "/Users/u/src/paddock/node_modules"))');
    expect(other).toBeGreaterThan(0);
    expect(reallow).toBeGreaterThan(other);
    expect(ro).toBeGreaterThan(reallow);
    expect(lines.some((l) => l.startsWith('(deny file-write* (subpath'))).toBe(false);
  });

  it('allows network only to the proxy port on localhost, or none', () => {
    expect(text).toContain('(allow network-outbound (remote tcp "localhost:41234"))');
    expect(text.match(/network/g)?.length).toBe(2);
    expect(seatbeltProfile(spec, { proxyPort: null })).not.toContain('(allow network');
  });

  it('renders rules and persistence protection as denies, with allow write lifting one', () => {
    expect(text).toContain('(deny file-read* (regex #"^(.*/)?(.*/)?\\.env$")) ; deny read **/.env');
    expect(text).toMatch(/\(deny process-exec file-read-data \(regex #"\^\([^"]*\/usr\/bin\|[^"]*\)\/ssh\$"\)\) ; deny exec ssh/);
    expect(text).toContain('(deny file-write* (regex #"^/Users/u/out/(.*/)?\\.git/hooks(/.*)?$"))');
    expect(text).not.toContain('/Users/u/out/(.*/)?\\.vscode');
    expect(text).not.toContain('agents/r/home/(.*/)?\\.git');
  });

  it('escapes quotes in paths', () => {
    const t = seatbeltProfile({ ...spec, workspace: '/Users/u/a"b' }, { proxyPort: null });
    expect(t).toContain('(subpath "/Users/u/a\\"b")');
  });
});
