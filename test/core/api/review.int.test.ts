import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../../src/core/api/handlers.js';
import { dispatch } from '../../helpers/api.js';
import { paddockOver } from '../../../src/core/commands/compose.js';
import { createEngine } from '../../../src/core/engine.js';

const dir = mkdtempSync(join(tmpdir(), 'paddock-review-'));
const home = join(dir, 'home');
mkdirSync(home);
const engine = await createEngine({ dataDir: join(dir, 'data'), userHome: home });
const h = createApiHandlers(paddockOver(engine), { version: '0' });
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rules:simulate over the real event log', () => {
  it('shows which recorded requests an edited rule set would decide differently', async () => {
    const yaml = 'name: sim\nnetwork: on\nrules: |\n  allow net pypi.org\n';
    await h['agents:save']({ yaml });
    const ev = (kind: 'net.allow' | 'net.deny', host: string, rule: string | null) =>
      engine.log({ kind, agent: 'sim', host, port: 443, address: null, rule, line: rule ? 4 : null, reason: 'x' });
    ev('net.allow', 'pypi.org', 'allow net pypi.org');
    ev('net.deny', 'api.example.com', null);
    ev('net.deny', 'api.example.com', null);
    engine.log({ kind: 'net.deny', agent: 'other', host: 'api.example.com', port: 443, rule: null, line: null, reason: 'x' });
    const r = await h['rules:simulate']({ name: 'sim', yaml: yaml + '  allow net api.example.com\n  deny net pypi.org\n' });
    expect(r.changes.map((c) => [c.host, c.count, c.before.effect, c.after.effect, c.after.rule, c.after.line])).toEqual([
      ['api.example.com', 2, 'deny', 'allow', 'allow net api.example.com', 5],
      ['pypi.org', 1, 'allow', 'deny', 'deny net pypi.org', 6],
    ]);
    expect(r.transitions).toEqual(expect.arrayContaining([{ from: 'deny', to: 'allow', requests: 2 }, { from: 'allow', to: 'deny', requests: 1 }]));
    expect(await dispatch(h, 'rules:simulate', { name: 'sim', yaml: 'name: sim\nrules: |\n  alow net x\n' })).toMatchObject({ ok: false, error: { code: 'E_PROFILE_INVALID' } });
    expect(await dispatch(h, 'rules:simulate', { name: 'sim', yaml: 'name: renamed\n' })).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
  });
});

describe('folders:diff and folders:export through the API', () => {
  it('only the profile\'s copy folders qualify; export writes reviewed files back and is logged', async () => {
    const papers = join(home, 'papers');
    mkdirSync(papers);
    writeFileSync(join(papers, 'a.txt'), 'old\n');
    writeFileSync(join(home, '.bashrc'), 'safe\n');
    await h['agents:save']({ yaml: 'name: cp\nfolders:\n  - { path: ~/papers, access: copy }\n  - { path: ~/ro, access: ro }\n' });
    expect(await h['folders:diff']({ name: 'cp', folder: '~/papers' })).toMatchObject({ copied: false });
    // What the first start does: copy into <workspace>/papers. Then the agent edits and plants a link.
    const copy = join(engine.paths.agentWorkspace('cp'), 'papers');
    mkdirSync(copy, { recursive: true });
    writeFileSync(join(copy, 'a.txt'), 'new\n');
    symlinkSync(join(home, '.bashrc'), join(copy, 'b.txt'));
    const d = await h['folders:diff']({ name: 'cp', folder: papers });
    expect(d.files.map((f) => [f.path, f.status, f.exportable])).toEqual([['a.txt', 'changed', true], ['b.txt', 'added', false]]);
    await expect(h['folders:diff']({ name: 'cp', folder: home })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(h['folders:export']({ name: 'cp', folder: '~/ro' })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    const r = await h['folders:export']({ name: 'cp', folder: '~/papers' });
    expect(r.written).toEqual([join(papers, 'a.txt')]);
    expect(readFileSync(join(papers, 'a.txt'), 'utf8')).toBe('new\n');
    expect(readFileSync(join(home, '.bashrc'), 'utf8')).toBe('safe\n');
    const [logged] = await h['activity:query']({ agent: 'cp', kind: 'fs.change' });
    expect(logged).toMatchObject({ change: 'exported', count: 1, path: papers });
  });
});
