import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { electronBinary, FETCH_RETRY_MS, nodeTooOldForElectron } from '../../scripts/start-electron.mjs';
import { tempDir } from '../helpers/cli.js';

/**
 * Issue 15 item 11: `npm start` says "fetching the Electron binary" only when it really fetches, a
 * failed fetch is remembered (no retry and no "first start" line on every start), and a Node older
 * than the desktop app's tools accept is named. The download is electron's own install.js, run for
 * real by start-electron.mjs; here it is a fake install.js in a fake node_modules/electron that
 * never touches the network (it fails as an offline machine does, or "downloads" a local file).
 */
let tmp: ReturnType<typeof tempDir>;
let dir: string;
let fetchFailed: string;
let lines: string[];
beforeEach(() => {
  tmp = tempDir('paddock-start-');
  dir = join(tmp.dir, 'node_modules', 'electron');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"electron","version":"45.0.0"}\n');
  fetchFailed = join(tmp.dir, '.native', 'electron-fetch-failed');
  lines = [];
});
afterEach(() => tmp.cleanup());

/** A fake electron install.js: counts its runs in `runs`; fails like an offline machine, or installs dist/electron. */
function fakeInstall(works: boolean): void {
  const body = works
    ? `fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
       fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), '#!/bin/sh\\n', { mode: 0o755 });
       fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');`
    : `process.stderr.write('RequestError: getaddrinfo ENOTFOUND github.com\\n'); process.exit(1);`;
  writeFileSync(join(dir, 'install.js'), `const fs = require('fs'); const path = require('path');\nfs.appendFileSync(path.join(__dirname, 'runs'), 'x');\n${body}\n`);
}
const installRuns = (): number => (existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').length : 0);
const start = (o: { now?: number; nodeVersion?: string } = {}): ReturnType<typeof electronBinary> =>
  electronBinary({ dir, fetchFailed, nodeVersion: o.nodeVersion ?? '22.12.0', now: o.now, write: (l) => lines.push(l) });
const fetchingLines = (): number => lines.filter((l) => l.includes('fetching the Electron binary')).length;

describe('npm start: the Electron binary', () => {
  it('a failed fetch is remembered: the next start neither fetches again nor prints the fetching line', () => {
    fakeInstall(false);
    const first = start();
    expect(first.binary).toBeUndefined();
    expect(first.reason).toMatch(/could not be downloaded on this machine \(details in .*electron-fetch-failed\)/);
    expect(fetchingLines()).toBe(1);
    expect(installRuns()).toBe(1);
    expect(readFileSync(fetchFailed, 'utf8')).toContain('ENOTFOUND');

    for (let i = 0; i < 3; i++) {
      const again = start();
      expect(again.reason).toMatch(/could not be downloaded earlier .*delete .*electron-fetch-failed to retry now/);
    }
    expect(fetchingLines()).toBe(1);
    expect(installRuns()).toBe(1);
  });

  it('a day after a failed fetch, a start tries again (and says so once)', () => {
    fakeInstall(false);
    start();
    const later = Date.now() + FETCH_RETRY_MS + 60_000;
    start({ now: later });
    expect(installRuns()).toBe(2);
    expect(fetchingLines()).toBe(2);
  });

  it('deleting the marker retries at once; a fetch that works clears it, and later starts print nothing', () => {
    fakeInstall(false);
    start();
    rmSync(fetchFailed);
    fakeInstall(true);
    const ok = start();
    expect(ok.binary).toBe(join(dir, 'dist', 'electron'));
    expect(existsSync(fetchFailed)).toBe(false);
    expect(fetchingLines()).toBe(2);
    lines = [];
    for (let i = 0; i < 3; i++) expect(start().binary).toBe(join(dir, 'dist', 'electron'));
    expect(lines).toEqual([]);
    expect(installRuns()).toBe(2);
  });

  it('a binary already fetched is used without a word', () => {
    fakeInstall(true);
    writeFileSync(join(dir, 'path.txt'), 'electron');
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'electron'), '');
    expect(start().binary).toBe(join(dir, 'dist', 'electron'));
    expect(lines).toEqual([]);
    expect(installRuns()).toBe(0);
  });

  it('a stale marker (older than a day, by its mtime) does not block a fetch', () => {
    fakeInstall(true);
    mkdirSync(join(tmp.dir, '.native'));
    writeFileSync(fetchFailed, 'old\n');
    const old = (Date.now() - FETCH_RETRY_MS - 60_000) / 1000;
    utimesSync(fetchFailed, old, old);
    expect(start().binary).toBe(join(dir, 'dist', 'electron'));
    expect(fetchingLines()).toBe(1);
  });

  it('Node older than 22.12 is named, with what to install, and nothing is fetched', () => {
    fakeInstall(true);
    for (const v of ['20.19.0', '22.11.0']) {
      const r = start({ nodeVersion: v });
      expect(r.binary).toBeUndefined();
      expect(r.reason).toContain(`need Node.js ≥ 22.12 and this is ${v}`);
      expect(r.reason).toMatch(/install Node 22 LTS or newer for the app; the console and the CLI work on this one/);
    }
    expect(lines).toEqual([]);
    expect(installRuns()).toBe(0);
    expect(nodeTooOldForElectron('20.19.0')).toBe(true);
    expect(nodeTooOldForElectron('22.11.9')).toBe(true);
    expect(nodeTooOldForElectron('22.12.0')).toBe(false);
    expect(nodeTooOldForElectron('24.0.0')).toBe(false);
    // Positive control: a new enough Node fetches.
    expect(start({ nodeVersion: '22.12.0' }).binary).toBe(join(dir, 'dist', 'electron'));
  });

  it('no electron package at all: says to run npm ci', () => {
    rmSync(join(dir, 'package.json'));
    expect(start().reason).toBe('Electron is not installed (run npm ci)');
    expect(lines).toEqual([]);
  });
});
