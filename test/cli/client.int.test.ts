import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { paddock, tempDir } from '../helpers/cli.js';

// bin/paddock answers `--version` itself and runs the client commands from dist/bundle/client.cjs
// (issue 17): both must say exactly what the full command line (src/cli/main.ts) says, byte for
// byte, with the same exit code. Each argv below runs both ways: the real binary, and main() in
// this process. None needs a running host (guest runs are covered by run.int.test.ts and
// lazy-imports.int.test.ts).

const tmp = tempDir('paddock-client-');
afterAll(() => tmp.cleanup());
const noHost = join(tmp.dir, 'no-host');
const missing = join(tmp.dir, 'missing.yaml');

async function full(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (t) => void (stdout += t), err: (t) => void (stderr += t) }, { ...process.env, PADDOCK_HOME: noHost });
  return { code, stdout, stderr };
}

const CASES: string[][] = [
  // --version, answered by bin/paddock with its copy of the global-option loop
  ['--version'],
  ['-V'],
  ['--data-dir', noHost, '--version'],
  [`--data-dir=${noHost}`, '-V'],
  ['--json', '--version'],
  ['--data-dir', '--version'], // --version is the data dir here: no command, help on stderr
  ['--data-dir=', '--version'],
  ['--data-dir', '', '-V'],
  ['--help', '--version'],
  ['--version', '--help'],
  ['-x', '--version'],
  ['ps', '--version'],
  ['--version', 'ps', 'extra'],
  // the client commands' usage and errors
  ['ps'],
  ['ps', 'extra'],
  ['ps', '--help'],
  ['--data-dir', noHost, '--json', 'approvals'],
  ['approve'],
  ['deny', 'x1', '--for', '2h'],
  ['pause', 'Bad_Name'],
  ['kill', '--all', 'extra'],
  ['net', 'agent', 'maybe'],
  ['stop', 'agent'],
  ['run'],
  ['run', '--help'],
  ['run', missing],
  ['--data-dir', noHost, 'run', missing, '--', 'true'],
];

describe('bin/paddock and its client bundle say what the full command line says', () => {
  it.each(CASES.map((c) => [c.join(' '), c]))('paddock %s', async (_, argv) => {
    const bin = paddock(argv as string[], { env: { ...process.env, PADDOCK_HOME: noHost } });
    const ref = await full(argv as string[]);
    expect({ code: bin.code, stdout: bin.stdout, stderr: bin.stderr }).toEqual(ref);
  });

  it('prints the package version (positive control: not an empty or made-up one)', () => {
    const r = paddock(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^paddock \d+\.\d+\.\d+\n$/);
  });
});
