/**
 * Attack class (black-box pass A): getting around `deny read` / `deny write` / `deny exec` masks
 * from inside the sandbox — copies, hard links, `/proc/1/root`, unmounting, renaming the covered
 * file or its parent, interpreters (`ld.so`, python) on a denied program — and across runs
 * (renaming a masked file's parent so that the next start no longer finds the path).
 * Positive controls: the same folder's other files are read and written, other programs and the
 * dynamic loader itself work.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { runResuming, suite } from './helpers.js';

const s = suite('amask');
afterAll(() => s.cleanup());

const LDSO = '/lib64/ld-linux-x86-64.so.2';

describe('masks hold against copies, links, /proc and interpreters', () => {
  it('a denied file is unreadable by cat, cp, a hard link, /proc/1/root and python; a write-protected file cannot be written, removed or renamed (nor its parent); a denied program cannot be run through ld.so or python, nor read; normal work succeeds', async () => {
    const rw = join(s.dir, 'rw');
    mkdirSync(join(rw, 'keys'), { recursive: true });
    mkdirSync(join(rw, 'conf'), { recursive: true });
    writeFileSync(join(rw, '.env'), 'ENV-SECRET-a1\n');
    writeFileSync(join(rw, 'keys', 'id_rsa'), 'KEY-SECRET-b2\n');
    writeFileSync(join(rw, 'conf', 'prot.txt'), 'protected\n');
    writeFileSync(join(rw, 'normal.txt'), 'normal content\n');
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      folders: [{ path: rw, access: 'rw' }],
      rules: `deny read **/.env\ndeny read ${rw}/keys/id_rsa\ndeny write ${rw}/conf/prot.txt\ndeny exec ssh\n`,
      command: [
        'bash',
        '-c',
        [
          `R=${rw}`,
          'for f in $R/.env $R/keys/id_rsa; do cat $f; cp $f $R/copy 2>/dev/null && cat $R/copy; ln $f $R/hard 2>/dev/null && cat $R/hard; cat /proc/1/root$f; python3 -c "print(open(\'$f\').read())"; umount $f 2>/dev/null && echo UNMOUNTED; done 2>/dev/null',
          'echo x >> $R/conf/prot.txt 2>/dev/null && echo PROT-APPENDED',
          'rm -f $R/conf/prot.txt 2>/dev/null; mv $R/conf/prot.txt $R/conf/p2 2>/dev/null && echo PROT-RENAMED',
          'mv $R/conf $R/conf-moved 2>/dev/null && echo PROT-PARENT-RENAMED',
          `${LDSO} /usr/bin/ssh -V 2>&1 | grep -i openssh && echo SSH-RAN-LDSO`,
          `python3 -c 'import subprocess; subprocess.run(["/usr/bin/ssh", "-V"])' 2>&1 | grep -i openssh && echo SSH-RAN-PY`,
          'test -s /usr/bin/ssh && echo SSH-READABLE',
          'cp /usr/bin/ssh $R/ssh2 2>/dev/null && test -s $R/ssh2 && echo SSH-COPIED',
          // Positive controls.
          'cat $R/normal.txt; echo written > $R/result.txt && echo wrote-result',
          `${LDSO} /usr/bin/true && echo ldso-works`,
          'echo end',
        ].join('\n'),
      ],
    }));
    const r = await runResuming(dataDir, file, name);
    expect(r.stdout).not.toMatch(/ENV-SECRET|KEY-SECRET|UNMOUNTED|PROT-|SSH-/);
    expect(r.stdout).toContain('normal content');
    expect(r.stdout).toContain('wrote-result');
    expect(r.stdout).toContain('ldso-works');
    expect(r.stdout).toContain('end');
    expect(readFileSync(join(rw, 'conf', 'prot.txt'), 'utf8')).toBe('protected\n');
    expect(readFileSync(join(rw, 'result.txt'), 'utf8')).toBe('written\n');
  });

  // BUG (attack pass A, finding 1): a `deny read PATH` mask inside a rw folder is bound at launch to
  // the path that exists then; the parent of a *read*-masked file is not pinned (unlike `deny write`),
  // so the agent renames it (`mv keys moved`, no alert) and at its next start the rule's path no
  // longer exists: nothing is masked and `moved/id_rsa` is read in clear.
  it('a deny-read file stays unreadable in the next run after the agent renamed its parent folder', async () => {
    const rw = join(s.dir, 'rw-rename');
    mkdirSync(join(rw, 'keys'), { recursive: true });
    writeFileSync(join(rw, 'keys', 'id_rsa'), 'KEY-SECRET-c3\n');
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      folders: [{ path: rw, access: 'rw' }],
      rules: `deny read ${rw}/keys/id_rsa\n`,
      command: ['bash', '-c', `cat ${rw}/keys/id_rsa ${rw}/moved/id_rsa 2>/dev/null; mv ${rw}/keys ${rw}/moved 2>/dev/null && echo RENAMED; echo end`],
    }));
    const first = await runResuming(dataDir, file, name);
    // Within the first run the mask holds (the positive control of the mask itself).
    expect(first.stdout).not.toContain('KEY-SECRET');
    expect(first.stdout).toContain('end');
    const second = await runResuming(dataDir, file, name);
    expect(second.stdout).toContain('end');
    expect(second.stdout).not.toContain('KEY-SECRET');
  });

  // Was BUG (attack pass A, finding 4): a `deny read` naming a file by its host path under a `copy`
  // folder did not cover the copy (`<workspace>/<basename>/…`) while `paddock check` counted it as
  // enforced. Now the file is left out of the copy, masked in a copy made before the rule, and
  // `check` says how the rule applies to the copy.
  it('a deny-read rule naming a file of a copy folder keeps its copy unreadable (and check says so)', async () => {
    const src = join(s.dir, 'copy-src');
    mkdirSync(src);
    writeFileSync(join(src, 'token.txt'), 'COPY-SECRET-d4\n');
    writeFileSync(join(src, 'n.txt'), 'copy normal\n');
    const profile = (rules: string) => (a: string) => ({
      name: a,
      folders: [{ path: src, access: 'copy' }],
      rules,
      command: ['bash', '-c', 'cat copy-src/n.txt copy-src/token.txt 2>/dev/null; test -e copy-src/token.txt && echo TOKEN-PRESENT; echo end'],
    });
    const { dataDir, file, name } = s.setup(profile(`deny read ${src}/token.txt\n`));
    const check = paddock(['check', file]);
    expect(check.code).toBe(0);
    expect(check.stdout + check.stderr).toMatch(/deny-covers-copy|copy in the workspace/);
    const r = await runResuming(dataDir, file, name);
    expect(r.stdout).toContain('copy normal'); // positive control: the copy is there and readable
    expect(r.stdout).toContain('end');
    expect(r.stdout).not.toContain('COPY-SECRET');
    expect(r.stdout).not.toContain('TOKEN-PRESENT'); // left out of the copy
    // A copy made before the rule was added: the file is in the workspace, and masked there.
    const late = s.setup(profile('allow read **\n'));
    const before = await runResuming(late.dataDir, late.file, late.name);
    expect(before.stdout).toContain('COPY-SECRET'); // the control: without the rule the copy holds it
    writeFileSync(late.file, readFileSync(late.file, 'utf8').replace('allow read **', `deny read ${src}/token.txt`));
    const after = await runResuming(late.dataDir, late.file, late.name);
    expect(after.stdout).toContain('copy normal');
    expect(after.stdout).not.toContain('COPY-SECRET');
  });
});
