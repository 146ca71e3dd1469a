import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddockP, startServe, tempDir } from '../helpers/cli.js';

const t = tempDir('paddock-notes-');
afterAll(() => t.cleanup());

/** What the sandbox changes from the profile is said on the terminal of `paddock run`, first host or guest. */
describe('paddock run: notes before the agent starts', () => {
  const outer = join(t.dir, 'outer');
  const data = join(outer, 'data');
  mkdirSync(data, { recursive: true });
  // The workspace holds the data dir: it is hidden inside, and the user is told so.
  const noted = join(t.dir, 'noted.yaml');
  writeFileSync(noted, `name: noted\nworkspace: ${outer}\ncommand: [sh, -c, "echo agent-ran"]\n`);
  const plain = join(t.dir, 'plain.yaml');
  writeFileSync(plain, 'name: plain\ncommand: [sh, -c, "echo agent-ran"]\n');
  const NOTE = "paddock: note: A granted folder contains Paddock's data dir; it is hidden inside.";

  it('a first host prints the note on stderr; a plain profile prints none', async () => {
    const r = await paddockP(['--data-dir', data, 'run', noted]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('agent-ran');
    expect(r.stderr).toContain(NOTE);
    const p = await paddockP(['--data-dir', data, 'run', plain]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).not.toContain('paddock: note:');
  });

  it('a guest of a running host prints it too', async () => {
    const host = await startServe(data);
    try {
      const r = await paddockP(['--data-dir', data, 'run', noted]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('agent-ran');
      expect(r.stderr).toContain(NOTE);
    } finally {
      await host.stop();
    }
  });
});

describe('paddock run: an allow write glob outside every writable folder', () => {
  const data = join(t.dir, 'glob-data');
  const ws = join(t.dir, 'glob-ws');
  const elsewhere = join(t.dir, 'elsewhere');
  mkdirSync(ws, { recursive: true });
  mkdirSync(elsewhere, { recursive: true });

  it('is said to grant nothing (the folder stays out of reach); a glob inside the workspace is not', async () => {
    const p = join(t.dir, 'glob.yaml');
    writeFileSync(p, `name: globber\nworkspace: ${ws}\nrules: |\n  allow write ${elsewhere}/**\n  allow write ${ws}/**/.vscode/**\ncommand: [sh, -c, "touch ${elsewhere}/x 2>/dev/null || echo not-writable"]\n`);
    const r = await paddockP(['--data-dir', data, 'run', p]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('not-writable');
    expect(r.stderr).toContain(`paddock: note: "allow write ${elsewhere}/**" (line 4) grants nothing`);
    expect(r.stderr).toContain(`name it: allow write ${elsewhere}`);
    expect(r.stderr).not.toContain('.vscode/**" (line 5) grants nothing');
  });
});

describe('paddock run: a program the sandbox cannot see', () => {
  const data = join(t.dir, 'missing-data');
  // Outside every folder the sandbox shows (the test's temp dir is neither /usr, /opt nor granted).
  const outside = join(t.dir, 'outside-bin');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'tool'), '#!/bin/sh\necho tool-ran\n', { mode: 0o755 });

  it('is named before the start, with where the sandbox looks and how to install it', async () => {
    const p = join(t.dir, 'missing.yaml');
    writeFileSync(p, 'name: lacks\ncommand: [env, FOO=1, no-such-program-here, --flag]\n');
    const r = await paddockP(['--data-dir', data, 'run', p]);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain("paddock: note: no-such-program-here is not on the agent's PATH inside the sandbox (");
    expect(r.stderr).toContain('not your home. Install it system-wide (e.g. under /usr/local) or into the agent\'s home (paddock shell lacks).');
    const abs = await paddockP(['--data-dir', data, 'run', p, '--', join(outside, 'tool')]);
    expect(abs.stdout).not.toContain('tool-ran');
    expect(abs.stderr).toContain(`paddock: note: ${join(outside, 'tool')} is not an executable file the sandbox can see`);
  });

  it('a program on the PATH inside (the system, the agent\'s ~/.local/bin) or granted gets no note', async () => {
    const p = join(t.dir, 'found.yaml');
    writeFileSync(p, `name: finds\nrules: |\n  allow read ${outside}\ncommand: [sh, -c, "echo sh-ran"]\n`);
    const sys = await paddockP(['--data-dir', data, 'run', p]);
    expect(sys.code, sys.stderr).toBe(0);
    expect(sys.stdout).toContain('sh-ran');
    expect(sys.stderr).not.toContain('paddock: note:');
    const bin = join(data, 'agents', 'finds', 'home', '.local', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'mine'), '#!/bin/sh\necho mine-ran\n', { mode: 0o755 });
    const own = await paddockP(['--data-dir', data, 'run', p, '--', 'env', 'X=1', 'mine']);
    expect(own.stdout).toContain('mine-ran');
    expect(own.stderr).not.toContain('paddock: note:');
    const granted = await paddockP(['--data-dir', data, 'run', p, '--', join(outside, 'tool')]);
    expect(granted.stdout).toContain('tool-ran');
    expect(granted.stderr).not.toContain('paddock: note:');
  });
});
