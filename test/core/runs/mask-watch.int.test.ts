import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/core/engine.js';
import { tempDir, waitFor } from '../../helpers/cli.js';

// Threat: a bind mount stays on the inode it covered; a host program that renames a new file over
// a masked one (editors, sed -i, git config) uncovers the path inside while the run goes on.
describe('a covered path replaced on the host during a run', () => {
  let engine: Engine | null = null;
  let tmp: ReturnType<typeof tempDir> | null = null;
  afterEach(async () => {
    await engine?.close();
    tmp?.cleanup();
    engine = null;
    tmp = null;
  });

  it('raises mask-replaced and pauses the agent before it can read the new file', async () => {
    tmp = tempDir();
    const proj = path.join(tmp.dir, 'proj');
    mkdirSync(proj);
    writeFileSync(path.join(proj, '.env'), 'TOKEN=old\n');
    engine = await createEngine({ dataDir: path.join(tmp.dir, 'data'), userHome: path.join(tmp.dir, 'home') });
    engine.importProfile(
      `name: masked\ncommand: [/bin/sh, -c, "echo started; while :; do cat ${proj}/.env 2>/dev/null; sleep 0.05; done"]\nfolders: [{ path: ${proj}, access: rw }]\nrules: |\n  deny read **/.env\n`,
      null,
    );
    const run = await engine.start('masked', { stdio: 'pipe' });
    let out = '';
    run.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('started') || null);
    // The host user edits the file the way editors do: a new file renamed over the old one.
    writeFileSync(path.join(proj, '.env.tmp'), 'TOKEN=new-secret\n');
    renameSync(path.join(proj, '.env.tmp'), path.join(proj, '.env'));
    await waitFor(() => engine!.runs.get('masked')?.state === 'paused' || null, 5000);
    const alerts = engine.store.events.query({ agent: 'masked', kindPrefix: 'alert' });
    expect(alerts.some((a) => (a as { type?: string }).type === 'mask-replaced' && String((a as { message?: string }).message).includes('.env'))).toBe(true);
    expect(out).not.toContain('TOKEN=old');
    await engine.runs.kill('masked');
    await run.done;
  });
});
