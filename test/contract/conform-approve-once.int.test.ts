import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

// PRODUCT.md: "`approve ID` answers this ask only". Two asks of the same action with different
// details, at once, used to merge into one approval showing the first detail: approving it let
// the second through too, a detail the user never saw ("to alice" approved "to everyone").
const tmp = tempDir('paddock-conform-once-');
const started: ReturnType<typeof paddockAsync>[] = [];
afterEach(() => {
  for (const s of started.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
});
afterAll(() => tmp.cleanup());

type Ev = Record<string, unknown>;
function pending(dataDir: string): Ev[] {
  const r = paddock(['--data-dir', dataDir, 'approvals', '--json']);
  return r.code === 0 ? r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Ev) : [];
}

describe('approve ID answers this ask only', () => {
  it('two asks of one action with different details are two approvals, each answered on its own', async () => {
    const dataDir = join(tmp.dir, 'data');
    const file = join(tmp.dir, 'mailer.yaml');
    writeFileSync(
      file,
      'name: mailer\nrules: |\n  ask action send-email\ncommand: [sh, -c, "(paddock-ask send-email \'to alice\'; echo A=$?) & (paddock-ask send-email \'to everyone\'; echo B=$?) & wait"]\n',
    );
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(run);
    const asks = await waitFor(() => (pending(dataDir).length === 2 ? pending(dataDir) : null), 20_000);
    expect(asks.map((a) => a.detail).sort()).toEqual(['to alice', 'to everyone']);
    expect(new Set(asks.map((a) => a.id)).size).toBe(2);
    const alice = asks.find((a) => a.detail === 'to alice')!;
    const everyone = asks.find((a) => a.detail === 'to everyone')!;

    // Positive control: the approved one goes through.
    expect(paddock(['--data-dir', dataDir, 'approve', String(alice.id)]).code).toBe(0);
    await waitFor(() => /A=0/.test(run.out()), 20_000);
    // The other is still waiting for its own answer.
    expect(run.out()).not.toMatch(/B=/);
    expect(pending(dataDir).map((a) => a.id)).toEqual([everyone.id]);
    expect(paddock(['--data-dir', dataDir, 'deny', String(everyone.id)]).code).toBe(0);
    expect(await run.exit).toBe(0);
    expect(run.out()).toContain('B=1');
  });
});
