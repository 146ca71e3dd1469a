import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/cli.js';
import { tempEngines } from '../../helpers/engine.js';

// Threat: a bind mount stays on the inode it covered; a host program that renames a new file over
// a masked one (editors, sed -i, git config) uncovers the path inside while the run goes on.
describe('a covered path replaced on the host during a run', () => {
  const engines = tempEngines();

  it('raises mask-replaced and pauses the agent before it can read the new file', async () => {
    const dir = engines.dir();
    const proj = path.join(dir, 'proj');
    mkdirSync(proj);
    writeFileSync(path.join(proj, '.env'), 'TOKEN=old\n');
    const engine = await engines.open({ dataDir: path.join(dir, 'data'), userHome: path.join(dir, 'home') });
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
    await waitFor(() => engine.runs.get('masked')?.state === 'paused' || null, 5000);
    const alerts = engine.store.events.query({ agent: 'masked', kindPrefix: 'alert' });
    expect(alerts.some((a) => (a as { type?: string }).type === 'mask-replaced' && String((a as { message?: string }).message).includes('.env'))).toBe(true);
    expect(out).not.toContain('TOKEN=old');
    await engine.runs.kill('masked');
    await run.done;
  });

  it('pauses the agent when it plants .git/commondir in a protected repository (git would take config and hooks from elsewhere)', async () => {
    const dir = engines.dir();
    const repo = path.join(dir, 'repo');
    mkdirSync(path.join(repo, '.git', 'hooks'), { recursive: true });
    writeFileSync(path.join(repo, '.git', 'config'), '[core]\n\trepositoryformatversion = 0\n');
    writeFileSync(path.join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    const engine = await engines.open({ dataDir: path.join(dir, 'data'), userHome: path.join(dir, 'home') });
    engine.importProfile(
      `name: planter\ncommand: [/bin/sh, -c, "echo x >> ${repo}/.git/config; echo cfg=$?; mkdir -p ${repo}/evil; echo ../evil > ${repo}/.git/commondir; echo planted; sleep 30"]\nfolders: [{ path: ${repo}, access: rw }]\n`,
      null,
    );
    const run = await engine.start('planter', { stdio: 'pipe' });
    let out = '';
    run.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => engine.runs.get('planter')?.state === 'paused' || null, 5000);
    expect(out).toMatch(/cfg=[12]/); // the config itself stays read-only
    const alerts = engine.store.events.query({ agent: 'planter', kindPrefix: 'alert' }) as Array<{ type?: string; message?: string }>;
    expect(alerts.some((a) => a.type === 'git-redirect' && String(a.message).includes('.git/commondir'))).toBe(true);
    await engine.runs.kill('planter');
    await run.done;
  });
});
