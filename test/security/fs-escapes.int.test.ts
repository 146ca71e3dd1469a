/**
 * Attack class: escaping the workspace and rw folders through the file system (symlinks, hard
 * links, renaming mount points), reading masked files, and planting persistence (.git hooks and
 * config, shell rc files) that would run on the host later. Positive controls: normal reads and
 * writes in the same folders work.
 */
import { mkdirSync, readFileSync, existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runResuming, suite } from './helpers.js';

const s = suite('fs');
afterAll(() => s.cleanup());

function tree(dir: string): void {
  mkdirSync(join(dir, '.git', 'hooks'), { recursive: true });
  writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(dir, '.git', 'config'), '[core]\n');
  writeFileSync(join(dir, '.bashrc'), '# rc\n');
  writeFileSync(join(dir, 'normal.txt'), 'normal content\n');
  writeFileSync(join(dir, 'creds.env'), 'TOKEN=creds-secret\n');
}

describe('file-system escapes', () => {
  const outside = join(s.dir, 'outside');
  const folder = join(s.dir, 'rw-folder');
  const ws = join(s.dir, 'workspace');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'host-secret\n');
  tree(folder);
  tree(ws);
  symlinkSync(join(outside, 'secret.txt'), join(folder, 'planted-link')); // planted before launch

  it('symlinks, hard links and renames do not escape; masked files stay unreadable after rm/mv; persistence files are read-only; normal work succeeds', async () => {
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      workspace: ws,
      folders: [{ path: folder, access: 'rw' }],
      rules: 'deny read **/*.env\n',
      command: [
        'bash',
        '-c',
        [
          `cat ${outside}/secret.txt`,
          `cat ${folder}/planted-link`,
          `ln -s ${outside}/secret.txt ${ws}/made-link; cat ${ws}/made-link`,
          `ln ${outside}/secret.txt ${ws}/hard 2>/dev/null && echo HARDLINK-MADE`,
          `ln ${folder}/normal.txt ${ws}/cross-hard 2>/dev/null && echo CROSS-HARDLINK-MADE`,
          `mv ${folder} ${folder}.moved 2>/dev/null && echo FOLDER-RENAMED`,
          `mv ${ws} ${ws}.moved 2>/dev/null && echo WORKSPACE-RENAMED`,
          'for d in ' + folder + ' ' + ws + '; do',
          '  cat $d/creds.env; rm -f $d/creds.env 2>/dev/null; mv $d/creds.env $d/x.env 2>/dev/null; cat $d/creds.env $d/x.env 2>/dev/null',
          '  echo "echo pwned" > $d/.git/hooks/pre-commit 2>/dev/null && echo "HOOK-WRITTEN $d"',
          '  echo "[core] hooksPath=/tmp" >> $d/.git/config 2>/dev/null && echo "GITCONFIG-WRITTEN $d"',
          '  echo "curl evil" >> $d/.bashrc 2>/dev/null && echo "BASHRC-WRITTEN $d"',
          '  mv $d/.git $d/.git-old 2>/dev/null && echo "GITDIR-MOVED $d"',
          '  echo fine > $d/result.txt && echo "wrote $d"; cat $d/normal.txt',
          'done',
          'echo end',
        ].join('\n'),
      ],
    }));
    const r = await runResuming(dataDir, file, name);
    expect(r.stdout).toContain('end');
    expect(r.stdout + r.stderr).not.toMatch(/host-secret|creds-secret/);
    expect(r.stdout).not.toMatch(/MADE|RENAMED|WRITTEN|MOVED/);
    // positive controls
    expect(r.stdout.match(/normal content/g)).toHaveLength(2);
    expect(r.stdout).toContain(`wrote ${folder}`);
    expect(r.stdout).toContain(`wrote ${ws}`);
    for (const d of [folder, ws]) {
      expect(readFileSync(join(d, 'result.txt'), 'utf8')).toBe('fine\n');
      expect(readFileSync(join(d, 'creds.env'), 'utf8')).toBe('TOKEN=creds-secret\n');
      expect(readFileSync(join(d, '.bashrc'), 'utf8')).toBe('# rc\n');
      expect(readFileSync(join(d, '.git', 'config'), 'utf8')).toBe('[core]\n');
      expect(existsSync(join(d, '.git', 'hooks', 'pre-commit'))).toBe(false);
    }
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('host-secret\n');
  });

  it('documented limitation: protection applies to paths that exist at launch (a new .env or .zshrc can be created)', async () => {
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      workspace: ws,
      folders: [{ path: folder, access: 'rw' }],
      rules: 'deny read **/*.env\n',
      command: ['bash', '-c', `echo NEW=1 > ${folder}/new.env && cat ${folder}/new.env; echo 'echo hi' > ${folder}/.zshrc && echo zshrc-created`],
    }));
    const r = await runResuming(dataDir, file, name);
    // If this starts failing, launch-time masking was extended to new paths: update docs/SECURITY.md.
    expect(r.stdout).toContain('NEW=1');
    expect(r.stdout).toContain('zshrc-created');
    // …and at the next start the new files are covered: the masked .env reads empty, the rc file is read-only.
    const again = s.setup(() => ({
      name,
      workspace: ws,
      folders: [{ path: folder, access: 'rw' }],
      rules: 'deny read **/*.env\n',
      command: ['bash', '-c', `cat ${folder}/new.env; echo x >> ${folder}/.zshrc 2>/dev/null && echo ZSHRC-WRITTEN; echo end`],
    }), dataDir);
    const r2 = await runResuming(dataDir, again.file, name);
    expect(r2.stdout).toContain('end');
    expect(r2.stdout).not.toMatch(/NEW=1|ZSHRC-WRITTEN/);
  });
});
