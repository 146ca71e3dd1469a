/**
 * Attack pass H (black box), one approval letting through an ask the user never saw: the agent asks
 * `deploy "staging: harmless"`; the user answers `approve ID --for-run` (or `--for 1h`); the agent then
 * asks `deploy "production: drop database"`, which went through without a prompt (the scoped answer
 * held for the action name, whatever its detail). `approve ID` answers that ask only (PRODUCT.md):
 * a scoped approval of an action now holds for the detail the user saw; a denial still holds for the
 * whole action. Positive control: the same ask again goes through without a prompt.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, waitFor } from '../helpers/cli.js';
import { cli, suite } from './helpers.js';

const s = suite('atkh-ah');
afterAll(() => s.cleanup());

interface Pending { id: string; target: string; detail: string }
async function pending(dataDir: string): Promise<Pending[]> {
  return (await cli(['--data-dir', dataDir, 'approvals', '--json'])).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Pending);
}

describe('a scoped approval of an action', { timeout: 120_000 }, () => {
  for (const scope of [['--for-run'], ['--for', '1h']]) {
    it(`(${scope.join(' ')}) lets the same detail through again, never another detail`, async () => {
      const prog = [
        'paddock-ask deploy "staging: harmless"; echo "A=$?"',
        'paddock-ask deploy "staging: harmless"; echo "A2=$?"',
        'paddock-ask deploy "production: drop database"; echo "B=$?"',
      ].join('; ');
      const { dataDir, file, name } = s.setup((n) => ({ name: n, approvals: { timeout: 60 }, command: ['bash', '-c', prog] }));
      const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
      const a = (await waitFor(async () => (await pending(dataDir)).find((p) => p.detail === 'staging: harmless'), 30_000))!;
      expect((await cli(['--data-dir', dataDir, 'approve', a.id, ...scope])).trim()).toMatch(/^approved/);
      // The other detail is asked (the user sees it); deny it.
      const b = await waitFor(async () => (await pending(dataDir)).find((p) => p.detail === 'production: drop database') ?? (run.out().includes('B=') ? ({ id: '' } as Pending) : undefined), 30_000);
      expect(b?.id, run.out()).toBeTruthy();
      expect(b?.target).toBe('deploy');
      expect(paddock(['--data-dir', dataDir, 'deny', b!.id]).code).toBe(0);
      expect(await run.exit).toBe(0);
      expect(run.out()).toContain('A=0');
      expect(run.out()).toContain('A2=0'); // positive control: held for the detail the user saw
      expect(run.out()).toContain('B=1');
      expect(name).toBeTruthy();
    });
  }
});
