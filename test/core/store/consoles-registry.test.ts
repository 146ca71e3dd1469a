import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { consolesDir, registerConsole, registeredConsolePorts } from '../../../src/core/data-dir/index.js';

describe('the registry of open consoles (every host refuses their ports)', () => {
  const homes: string[] = [];
  const home = (): string => {
    const h = mkdtempSync(path.join(tmpdir(), 'paddock-consoles-'));
    homes.push(h);
    return h;
  };
  afterEach(() => {
    for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
  });

  it('lists a registered console until it is removed, in the default data dir', () => {
    const h = home();
    expect(registeredConsolePorts(h)).toEqual([]);
    const off = registerConsole(40123, h);
    expect(registeredConsolePorts(h)).toEqual([40123]);
    expect(consolesDir(h)).toBe(path.join(h, '.config', 'Paddock', 'consoles'));
    off();
    expect(registeredConsolePorts(h)).toEqual([]);
  });

  it('drops the entry of a process that has ended, and of a reused pid (another start time)', async () => {
    const h = home();
    registerConsole(40124, h);
    const child = spawn('true');
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    writeFileSync(path.join(consolesDir(h), '40125'), `${pid} 1\n`);
    // This process with a start time that is not its own: its pid was reused.
    writeFileSync(path.join(consolesDir(h), '40126'), `${process.pid} 1\n`);
    expect(registeredConsolePorts(h)).toEqual([40124]);
    expect(readdirSync(consolesDir(h))).toEqual(['40124']);
  });

  it('ignores files that do not name a port', () => {
    const h = home();
    registerConsole(40127, h);
    writeFileSync(path.join(consolesDir(h), 'notes'), `${process.pid}\n`);
    writeFileSync(path.join(consolesDir(h), '123456'), `${process.pid}\n`);
    expect(registeredConsolePorts(h)).toEqual([40127]);
  });
});
