import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GrantRedirectError, pinPath } from '../../../src/core/sandbox/links.js';
import { prepareSandbox } from '../../../src/core/sandbox/plan.js';
import { makeWorld, rule, runPlan, sh, type World } from './helpers.js';

// Another agent writes `shared`; it swapped `shared/sub` for a link to `victim`.
let w: World;
let shared: string;
let victim: string;
beforeEach(async () => {
  w = await makeWorld();
  shared = path.join(w.root, 'shared');
  victim = path.join(w.root, 'victim');
  mkdirSync(path.join(victim, 'x'), { recursive: true });
  writeFileSync(path.join(victim, 'private.txt'), 'PRIVATE');
  mkdirSync(shared);
  symlinkSync(victim, path.join(shared, 'sub'));
});
afterEach(async () => {
  await w.dispose();
});

const refused = async (p: Promise<unknown>): Promise<GrantRedirectError> => {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(GrantRedirectError);
  return err as GrantRedirectError;
};
const untouched = (): void => expect(readdirSync(victim).sort()).toEqual(['private.txt', 'x']);

describe("grants through a link in another agent's folder (real bubblewrap)", () => {
  const others = (): { othersWritable: string[] } => ({ othersWritable: [shared] });

  it('refuses a workspace reached through it, before creating anything there', async () => {
    const err = await refused(prepareSandbox(w.spec({ ...others(), workspace: path.join(shared, 'sub', 'ws') })));
    expect(err.link).toBe(path.join(shared, 'sub'));
    expect(err.target).toBe(victim);
    expect(err.message).toContain('which an agent can write');
    untouched();
  });

  it('refuses a copy source reached through it: nothing is copied', async () => {
    const err = await refused(prepareSandbox(w.spec({ ...others(), folders: [{ path: path.join(shared, 'sub'), access: 'copy' }] })));
    expect(err.message).toContain(`symbolic link ${path.join(shared, 'sub')}`);
    expect(existsSync(path.join(w.spec().workspace, 'sub'))).toBe(false);
  });

  it('refuses the path of an allow read or allow write rule reached through it', async () => {
    for (const kind of ['read', 'write']) {
      const err = await refused(prepareSandbox(w.spec({ ...others(), rules: [rule(`allow ${kind} ${path.join(shared, 'sub', 'x')}`)] })));
      expect(err.message).toContain(`as rule "allow ${kind}`);
    }
    untouched();
  });

  it('binds the same grants when nothing was planted (positive control)', async () => {
    const sub = path.join(w.root, 'real-sub');
    mkdirSync(path.join(sub, 'x'), { recursive: true });
    writeFileSync(path.join(sub, 'mine.txt'), 'MINE');
    const r = await sh(w, `cat ${sub}/mine.txt; ls ${sub}/x && echo listed`, {
      ...others(),
      folders: [{ path: sub, access: 'ro' }],
      rules: [rule(`allow write ${path.join(sub, 'x')}`)],
    });
    expect(r.stdout).toContain('MINE');
    expect(r.stdout).toContain('listed');
  });
});

describe('links in folders other users can write', () => {
  it('refuses a link inside a folder another user owns or that others can write; follows the user\'s own link in a sticky folder', async () => {
    const foreign = path.join(w.root, 'foreign');
    mkdirSync(foreign);
    symlinkSync(victim, path.join(foreign, 'docs'));
    chownSync(foreign, 54321, 54321);
    const owned = await refused(prepareSandbox(w.spec({ folders: [{ path: path.join(foreign, 'docs'), access: 'ro' }] })));
    expect(owned.message).toContain('belongs to another user');

    const open = path.join(w.root, 'open');
    mkdirSync(open);
    symlinkSync(victim, path.join(open, 'docs'));
    chmodSync(open, 0o777);
    const writable = await refused(prepareSandbox(w.spec({ folders: [{ path: path.join(open, 'docs'), access: 'ro' }] })));
    expect(writable.message).toContain('other users can write');

    // Like /tmp: others may add entries, not replace this user's own link.
    chmodSync(open, 0o1777);
    const r = await sh(w, `cat ${victim}/private.txt`, { folders: [{ path: path.join(open, 'docs'), access: 'ro' }] });
    expect(r.stdout).toBe('PRIVATE');
  });
});

describe('the check-to-use race', () => {
  it('binds the folder that was checked even when it is swapped for a link after the check (bwrap --bind-fd)', async () => {
    const docs = path.join(w.root, 'proj', 'docs');
    mkdirSync(docs, { recursive: true });
    writeFileSync(path.join(docs, 'mine.txt'), 'MINE');
    const plan = await prepareSandbox(w.spec({ folders: [{ path: docs, access: 'rw' }], command: ['sh', '-c', `cat ${docs}/*; echo new > ${docs}/new.txt`] }));
    // bwrap's options are in its --args setup fd (nothing of them on a command line).
    const options = plan.fds[Number(plan.argv[plan.argv.indexOf('--args') + 1]) - 3]!.toString('utf8').split('\0');
    expect(options).toContain('--bind-fd');
    expect(options.filter((a) => a === docs)).toHaveLength(1); // only as the mount point, never as a source
    // Between Paddock's check and bwrap's mount, an agent that writes proj swaps docs for a link.
    renameSync(docs, `${docs}.old`);
    symlinkSync(victim, docs);
    const r = await runPlan(plan);
    expect(r.stdout).toBe('MINE');
    expect(existsSync(path.join(`${docs}.old`, 'new.txt'))).toBe(true);
    untouched();
  });

  it('refuses to pin a path that no longer leads where it was checked', () => {
    const via = path.join(w.root, 'via');
    symlinkSync(victim, via);
    expect(() => pinPath(path.join(via, 'x'), 'folder x')).toThrow(GrantRedirectError);
    const pin = pinPath(path.join(victim, 'x'), 'folder x');
    closeSync(pin.fd);
  });
});
