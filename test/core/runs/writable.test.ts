import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProfile } from '../../../src/core/agents/profile.js';
import { othersWritable } from '../../../src/core/runs/writable.js';
import { dataPaths } from '../../../src/core/data-dir/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const parsed = (yaml: string): ReturnType<typeof parseProfile> & {} => {
  const r = parseProfile(yaml, 'p.yaml', { home: '/home/u' });
  expect(r.diagnostics).toEqual([]);
  return r;
};

describe('othersWritable', () => {
  it("lists every other agent's home, workspace, rw folders and write-rule paths, and the folders of deleted agents", () => {
    const root = mkdtempSync(path.join(tmpdir(), 'paddock-writable-'));
    dirs.push(root);
    const paths = dataPaths(root);
    mkdirSync(path.join(paths.agents, 'gone', 'home'), { recursive: true });
    const a = parsed('name: a\nworkspace: /srv/ws-a\nfolders:\n  - { path: /srv/proj, access: rw }\n  - { path: /srv/ref, access: ro }\n  - { path: /srv/seed, access: copy }\nrules: |\n  allow write /srv/out\n  allow write /srv/logs/**\n  allow read /srv/in\n');
    const b = parsed('name: b\nfolders:\n  - { path: /srv/proj/docs, access: rw }\n');
    const agents = [
      { name: 'a', parsed: { profile: a.profile!, ruleSet: a.ruleSet! } },
      { name: 'b', parsed: { profile: b.profile!, ruleSet: b.ruleSet! } },
      { name: 'broken', parsed: null },
    ];
    const forB = othersWritable('b', agents, paths);
    expect(forB).toEqual(expect.arrayContaining([paths.agentHome('a'), paths.agentWorkspace('a'), '/srv/ws-a', '/srv/proj', '/srv/out', paths.agentHome('broken'), paths.agentHome('gone')]));
    for (const notWritable of ['/srv/ref', '/srv/seed', '/srv/in', '/srv/proj/docs', paths.agentHome('b')]) expect(forB).not.toContain(notWritable);
    expect(forB.some((p) => p.includes('*'))).toBe(false);
    expect(othersWritable('a', agents, paths)).toContain('/srv/proj/docs');
  });
});
