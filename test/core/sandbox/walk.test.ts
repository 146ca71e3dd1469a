import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walkTree } from '../../../src/core/sandbox/walk.js';
import { tempDir } from '../../helpers/cli.js';

// walkTree takes each entry's type from the directory listing and lstats only what the visitor
// may see (a first host's /etc scan is mostly links): what it visits, in what order, and that it
// never follows a link, must stay as with an lstat of every entry.

const tmp = tempDir('paddock-walk-');
afterAll(() => tmp.cleanup());
const root = join(tmp.dir, 'tree');
mkdirSync(join(root, 'b', 'deep'), { recursive: true });
writeFileSync(join(root, 'a.txt'), 'a');
writeFileSync(join(root, 'b', 'deep', 'c.txt'), 'c');
mkdirSync(join(tmp.dir, 'outside'));
writeFileSync(join(tmp.dir, 'outside', 'secret'), 's');
symlinkSync(join(tmp.dir, 'outside'), join(root, 'b', 'to-dir'));
symlinkSync(join(root, 'a.txt'), join(root, 'to-file'));
symlinkSync(join(tmp.dir, 'missing'), join(root, 'dangling'));

async function visited(start: string, links: boolean): Promise<string[]> {
  const seen: string[] = [];
  await walkTree(
    start,
    { left: 1000 },
    (abs, st) => {
      seen.push(`${abs.slice(root.length) || '/'}${st.isSymbolicLink() ? ' (link)' : st.isDirectory() ? '/' : ''}`);
      return 'descend';
    },
    { links },
  );
  return seen;
}

describe('walkTree', () => {
  it('visits files and folders depth-first, sorted by name, never through a link; links only when asked', async () => {
    expect(await visited(root, false)).toEqual(['//', '/a.txt', '/b/', '/b/deep/', '/b/deep/c.txt']);
    expect(await visited(root, true)).toEqual(['//', '/a.txt', '/b/', '/dangling (link)', '/to-file (link)', '/b/deep/', '/b/to-dir (link)', '/b/deep/c.txt']);
  });

  it('names entries as path.join would, whatever the start looks like', async () => {
    expect(await visited(`${root}/`, false)).toEqual(['//', '/a.txt', '/b/', '/b/deep/', '/b/deep/c.txt']);
    expect(await visited(`${root}/b/../b/./`, false)).toEqual(['/b/../b/.//', '/b/deep/', '/b/deep/c.txt']);
  });

  it('counts links in the budget too (fails closed on a huge tree of links)', async () => {
    await expect(walkTree(root, { left: 3 }, () => 'descend')).rejects.toThrow(/Too many files/);
  });
});
