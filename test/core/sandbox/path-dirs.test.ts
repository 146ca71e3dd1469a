import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { userPathDirs } from '../../../src/core/sandbox/user-path.js';

const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'paddock-pathdirs-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('userPathDirs: the folders on the user’s PATH that a writable grant must not expose', () => {
  it('keeps existing absolute folders by their real path, and skips relative, absent and node_modules/.bin entries', () => {
    const bin = path.join(root, 'bin');
    const nmb = path.join(root, 'proj', 'node_modules', '.bin');
    mkdirSync(bin);
    mkdirSync(nmb, { recursive: true });
    symlinkSync(bin, path.join(root, 'link'));
    const got = userPathDirs([path.join(root, 'link'), 'rel/bin', '.', '', path.join(root, 'absent'), nmb, `${nmb}/`, '/usr/bin'].join(':'));
    expect([...got].sort()).toEqual([bin, realpathSync('/usr/bin')].sort());
  });
});
