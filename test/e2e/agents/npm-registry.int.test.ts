/**
 * npm inside a paddock installs a package through the egress proxy from a real registry server
 * (verdaccio, pinned, from .cache/agents) on the host's loopback, reached as
 * `host.paddock.internal` with the proxy variables exactly as Paddock sets them; each connection
 * is an event, and a deny rule makes npm fail cleanly with a `net.deny`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddockP, tempDir, waitFor } from '../../helpers/cli.js';
import { agentCli, count, events } from './helpers.js';

const verdaccio = agentCli('verdaccio');
const tmp = tempDir('paddock-npmreg-');
const H = 'host.paddock.internal';
const PKG = 'paddock-e2e-hello';
let registry: ChildProcess | null = null;
let log = '';
let port = 0;

beforeAll(async () => {
  if (!verdaccio) return;
  const config = join(tmp.dir, 'verdaccio.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(tmp.dir, 'storage'))}`,
      `auth: { htpasswd: { file: ${JSON.stringify(join(tmp.dir, 'htpasswd'))}, max_users: 10 } }`,
      'uplinks: {}', // never fetches from anywhere else
      "packages: { '**': { access: $all, publish: $authenticated } }",
      'log: { type: stdout, format: json, level: http }',
      '',
    ].join('\n'),
  );
  registry = spawn(process.execPath, [join(import.meta.dirname, 'verdaccio-server.mjs'), join(verdaccio, '..', '..'), config], { stdio: ['ignore', 'pipe', 'pipe'] });
  registry.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  registry.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  port = Number((await waitFor(() => /^PORT (\d+)$/m.exec(log), 60_000))[1]);
  const base = `http://127.0.0.1:${port}`;
  // A user and a token, then publish a tiny package from the host.
  const user = await fetch(`${base}/-/user/org.couchdb.user:tester`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'tester', password: 'test-pass-123' }),
  });
  const { token } = (await user.json()) as { token: string };
  const pkg = join(tmp.dir, 'pkg');
  mkdirSync(pkg);
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: PKG, version: '1.0.0', main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), 'module.exports = "hello from the loopback registry";\n');
  writeFileSync(join(tmp.dir, 'npmrc'), `//127.0.0.1:${port}/:_authToken=${token}\n`);
  const pub = spawnSync('npm', ['publish', '--registry', `${base}/`, '--userconfig', join(tmp.dir, 'npmrc')], { cwd: pkg, encoding: 'utf8', timeout: 60_000 });
  expect(pub.status, pub.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  registry?.kill('SIGTERM');
  tmp.cleanup();
});

let n = 0;
function profile(rule: string): { dataDir: string; file: string; name: string } {
  const name = `npm-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const file = join(tmp.dir, `${name}.yaml`);
  const cmd = `npm install --no-audit --no-fund --registry http://${H}:${port}/ ${PKG} && node -p 'require("${PKG}")'; echo npm-rc=$?`;
  writeFileSync(file, `name: ${name}\nnetwork: on\nrules: |\n  ${rule}\ncommand: [sh, -c, ${JSON.stringify(cmd)}]\n`);
  return { dataDir, file, name };
}
const hits = (): number => log.split('\n').filter((l) => l.includes(`/${PKG}`) && l.includes('"GET')).length;

describe.skipIf(!verdaccio)('npm in a paddock against a registry on the host loopback', { timeout: 120_000 }, () => {
  it('allow rule: the package is installed through the proxy, each connection an event', async () => {
    const { dataDir, file, name } = profile(`allow net ${H}:${port}`);
    const before = hits();
    const r = await paddockP(['--data-dir', dataDir, 'run', file], { timeout: 100_000 });
    expect(r.stdout).toContain('hello from the loopback registry');
    expect(r.stdout).toContain('npm-rc=0');
    expect(hits() - before).toBeGreaterThanOrEqual(2); // the packument and the tarball
    const allow = events(dataDir, name, 'net.allow');
    expect(count(allow)).toBeGreaterThanOrEqual(2);
    for (const e of allow) expect(e).toMatchObject({ host: H, port, rule: `allow net ${H}:${port}`, line: 4, address: '127.0.0.1' });
    expect(events(dataDir, name, 'net.deny')).toEqual([]);
  });

  it('deny rule: npm fails cleanly (an HTTP 403, not a hang) and a net.deny names the rule; the registry is never reached', async () => {
    const { dataDir, file, name } = profile(`deny net ${H}:${port}`);
    const before = hits();
    const r = await paddockP(['--data-dir', dataDir, 'run', file], { timeout: 100_000 });
    expect(r.stdout).toMatch(/npm-rc=[1-9]/);
    expect(r.stderr).toContain('E403');
    expect(hits()).toBe(before);
    const deny = events(dataDir, name, 'net.deny');
    expect(count(deny)).toBeGreaterThanOrEqual(1);
    for (const e of deny) expect(e).toMatchObject({ host: H, port, rule: `deny net ${H}:${port}`, line: 4 });
    expect(events(dataDir, name, 'net.allow')).toEqual([]);
  });
});
