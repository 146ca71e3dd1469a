import { lstatSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, tempDir } from '../helpers/cli.js';

// PRODUCT.md: "exec patterns: a program name or path glob. `deny exec ssh` makes the program's file
// absent inside the sandbox, or masks it … (by name, by path, through symlinks)", and read/write
// patterns are "path globs as seen inside the sandbox". On a merged-/usr system /bin is a link to
// usr/bin (inside too), and masks were planned on real paths only: `deny exec /bin/tac` and
// `deny read /bin/tac` masked nothing and said nothing.
const merged = lstatSync('/bin', { throwIfNoEntry: false })?.isSymbolicLink() === true && readlinkSync('/bin').replace(/^\//, '') === 'usr/bin';
const tmp = tempDir('paddock-conform-links-');
afterAll(() => tmp.cleanup());

describe.skipIf(!merged)('path rules spelled through /bin on a merged-/usr system', () => {
  it.each(['deny exec /bin/tac', 'deny read /bin/tac', 'deny exec /bin/ta?'])('%s holds for tac, /bin/tac and /usr/bin/tac; other programs run', (rule) => {
    const file = join(tmp.dir, 'links.yaml');
    writeFileSync(file, `name: links\nrules: |\n  ${rule}\n`);
    const script = 'for p in tac /bin/tac /usr/bin/tac; do echo x | $p >/dev/null 2>&1; echo "$p=$?"; done; cat /usr/bin/tac 2>/dev/null | wc -c; echo x | rev';
    const r = paddock(['--data-dir', join(tmp.dir, 'data'), 'run', file, '--', 'sh', '-c', script]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tac=12[67]\n\/bin\/tac=126\n\/usr\/bin\/tac=126\n/);
    expect(r.stdout).toMatch(/^0$/m); // an empty mask, not the program (or unreadable: nothing read)
    expect(r.stdout).toMatch(/^x$/m); // rev still runs
  });
});
