import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { paddock, paddockP, startServe, tempDir } from '../helpers/cli.js';

// PRODUCT.md: `paddock run` "exits with the agent's code (128+N for signal N); Paddock's own
// failures print `paddock: …` on stderr and exit 125". A command that is not there was neither:
// bwrap's "bwrap: execvp no-such-cmd: No such file or directory" and exit 1, which reads as the
// agent's own failure. Like a shell and Docker (whose 125 Paddock mirrors): 127 for a command not
// found, 126 for one that cannot be run, with a `paddock: …` sentence; an agent's own 126/127 pass.
const tmp = tempDir('paddock-conform-exec-');
const hosts: Awaited<ReturnType<typeof startServe>>[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop();
});
afterAll(() => tmp.cleanup());

let n = 0;
function profile(extra = ''): { dataDir: string; file: string } {
  const name = `exec-${++n}`;
  const file = join(tmp.dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\ncommand: [sh, -c, "exit 0"]\n${extra}`);
  return { dataDir: join(tmp.dir, `data-${n}`), file };
}

describe('paddock run of a command that cannot run', () => {
  it('exits 127 for a missing command and 126 for a file that is not a program, saying so as paddock: …', () => {
    const { dataDir, file } = profile();
    const missing = paddock(['--data-dir', dataDir, 'run', file, '--', 'no-such-cmd', '--flag']);
    expect(missing.code).toBe(127);
    // The start's note says where the sandbox looks and how to install it; the check then says it in one line.
    expect(missing.stderr).toMatch(/^paddock: note: no-such-cmd is not on the agent's PATH inside the sandbox .*Install it/m);
    expect(missing.stderr).toMatch(/^paddock: no-such-cmd: command not found inside the sandbox \(see the note above\)\.$/m);
    expect(missing.stderr).not.toMatch(/execvp/);
    const empty = paddock(['--data-dir', dataDir, 'run', file, '--', '']);
    expect(empty.code).toBe(127);
    expect(empty.stderr).toMatch(/^paddock: the command is empty/m);
    const path = paddock(['--data-dir', dataDir, 'run', file, '--', '/no/such/program']);
    expect(path.code).toBe(127);
    expect(path.stderr).toMatch(/^paddock: \/no\/such\/program: no such file inside the sandbox/m);
    const notProgram = paddock(['--data-dir', dataDir, 'run', file, '--', '/etc/passwd']);
    expect(notProgram.code).toBe(126);
    expect(notProgram.stderr).toMatch(/^paddock: \/etc\/passwd cannot be run inside the sandbox: it is not executable there/m);
    const folder = paddock(['--data-dir', dataDir, 'run', file, '--', '/etc']);
    expect(folder.code).toBe(126);
    expect(folder.stderr).toMatch(/^paddock: \/etc cannot be run: it is a folder/m);
  });

  it('a program masked by deny exec exits 126 naming the rule kind; the network on changes nothing', () => {
    const { dataDir, file } = profile('network: on\nrules: |\n  deny exec tac\n');
    const r = paddock(['--data-dir', dataDir, 'run', file, '--', 'tac', '/etc/hostname']);
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/^paddock: tac cannot be run inside the sandbox: .* is not executable there \(a "deny exec" rule/m);
    const gone = paddock(['--data-dir', dataDir, 'run', file, '--', 'no-such-cmd']);
    expect(gone.code).toBe(127);
    expect(gone.stderr).toMatch(/^paddock: no-such-cmd: command not found/m);
  });

  it("an agent's own exit 126 / 127 and its arguments pass through unchanged, with nothing added on stderr", () => {
    const { dataDir, file } = profile();
    for (const code of [126, 127, 1]) {
      const r = paddock(['--data-dir', dataDir, 'run', file, '--', 'sh', '-c', `echo "$0|$1|$2"; exit ${code}`, 'a b', '*', '']);
      expect(r.code).toBe(code);
      expect(r.stdout).toBe('a b|*|\n');
      expect(r.stderr).not.toMatch(/paddock:/);
    }
  });

  // PRODUCT.md "Environment: only PATH, HOME, USER, …": the check is a shell, which exports PWD
  // and would export its own variables; the agent must see the contract's variables and no more.
  it.each([
    ['network off', '', {}],
    ['network on', 'network: on\n', {}],
    ['network on, shell bridge', 'network: on\n', { PADDOCK_NATIVE: 'off' }],
  ])('the environment of a command started through the check is exactly the contract (%s)', (_label, extra, env) => {
    const { dataDir, file } = profile(extra);
    const r = paddock(['--data-dir', dataDir, 'run', file, '--', 'env'], { env: { ...process.env, ...env } });
    expect(r.code).toBe(0);
    const keys = r.stdout.trim().split('\n').map((l) => l.slice(0, l.indexOf('='))).sort();
    const proxy = extra ? ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'].flatMap((k) => [k, k.toLowerCase()]) : [];
    expect(keys).toEqual(['PATH', 'HOME', 'USER', 'LANG', 'TERM', 'TZ', 'PADDOCK_AGENT', ...proxy].sort());
  });

  it('a guest run (a host already running) exits 127 with the same sentence', async () => {
    const { dataDir, file } = profile();
    hosts.push(await startServe(dataDir));
    const r = await paddockP(['--data-dir', dataDir, 'run', file, '--', 'no-such-cmd']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/paddock: no-such-cmd: command not found inside the sandbox/);
  });
});
