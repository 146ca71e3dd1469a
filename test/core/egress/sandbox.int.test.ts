/**
 * End to end with a real bubblewrap sandbox: the agent's only way out is the bridge to its
 * proxy socket. Traffic leaves only to loopback test servers; the non-loopback attempts below
 * happen inside the sandbox's own network namespace, which has no route (no packet leaves).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installHelpers, sandboxGlue } from '../../../src/core/egress/glue.js';
import { prepareSandbox } from '../../../src/core/sandbox/plan.js';
import { makeWorld, runPlan, type World } from '../sandbox/helpers.js';
import { harness, startServer, type Harness, type TestServer } from './harness.js';

const canRun = existsSync('/usr/bin/bwrap') && existsSync('/usr/bin/socat') && existsSync('/usr/bin/curl');

describe.skipIf(!canRun)('egress from inside a real sandbox', () => {
  let h: Harness;
  let srv: TestServer;
  let world: World;
  beforeEach(async () => {
    h = harness();
    srv = await startServer('127.0.0.1');
    h.names.set('app.test', [{ address: '127.0.0.1', family: 4 }]);
    world = await makeWorld('tester');
  });
  afterEach(async () => {
    await srv.close();
    await h.cleanup();
    await world.dispose();
  });

  it('curl through the bridge works; --noproxy, raw TCP, UDP and DNS fail; a killed bridge comes back', async () => {
    const rules = `allow net app.test:${srv.port}\nallow net 127.0.0.1:${srv.port}\ndeny net denied.test:*\nallow action ok-thing`;
    const sock = await h.open('tester', rules);
    const helperDir = path.join(h.dir, 'helpers');
    await installHelpers(helperDir);
    const glue = sandboxGlue({ socketDir: path.dirname(sock), helperDir, network: true });
    const P = srv.port;
    const script = [
      `curl -sS --max-time 5 http://app.test:${P}/inside; echo "A=$?"`,
      `curl -sS --max-time 5 -o /dev/null -w '%{http_code}' http://denied.test/; echo " B=$?"`,
      `curl -sS --max-time 5 --proxy socks5h://127.0.0.1:3128 http://app.test:${P}/socks; echo "C=$?"`,
      `curl -sS --max-time 3 --noproxy '*' http://127.0.0.1:${P}/ >/dev/null 2>&1; echo "D=$?"`,
      `socat -u OPEN:/dev/null TCP:192.0.2.1:80,connect-timeout=2 2>/dev/null; echo "E=$?"`,
      `echo x | socat -u - UDP:192.0.2.1:53 2>/dev/null; echo "F=$?"`,
      `getent hosts example.com >/dev/null 2>&1; echo "G=$?"`,
      `paddock-ask ok-thing "fine"; echo "H=$?"`,
      // Kill the bridge from inside: the launcher's loop restarts it.
      'for p in /proc/[0-9]*; do if tr "\\0" " " < $p/cmdline 2>/dev/null | grep -q "^socat TCP-LISTEN"; then kill ${p#/proc/}; fi; done',
      'sleep 0.6',
      `curl -sS --max-time 5 http://app.test:${P}/again; echo "I=$?"`,
      'echo "ENV=$HTTPS_PROXY $ALL_PROXY"',
    ].join('\n');
    const plan = await prepareSandbox(world.spec({ command: glue.wrapCommand(['/bin/sh', '-c', script]), extraBinds: glue.extraBinds, extraEnv: glue.extraEnv, extraPath: glue.extraPath }));
    const r = await runPlan(plan);
    expect(r.stdout, r.stderr).toContain(`hello GET /inside host=app.test:${P}`);
    expect(r.stdout).toContain('A=0');
    expect(r.stdout).toMatch(/403 B=/);
    expect(r.stdout).toContain('hello GET /socks');
    expect(r.stdout).toContain('C=0');
    expect(r.stdout).toMatch(/D=[1-9]/);
    expect(r.stdout).toMatch(/E=[1-9]/);
    expect(r.stdout).toMatch(/F=[1-9]/);
    expect(r.stdout).toMatch(/G=[1-9]/);
    expect(r.stdout).toContain('H=0');
    expect(r.stdout).toContain('hello GET /again');
    expect(r.stdout).toContain('ENV=http://127.0.0.1:3128 socks5h://127.0.0.1:3128');
    h.egress.events.flush();
    expect(h.ofKind('net.deny', 'tester').some((e) => e.host === 'denied.test' && e.rule === 'deny net denied.test:*')).toBe(true);
    expect(h.ofKind('net.allow', 'tester').some((e) => e.host === 'app.test' && e.rule === `allow net app.test:${P}`)).toBe(true);
    // Only the loopback test server was ever dialled.
    expect(h.dials.every((d) => d.address === '127.0.0.1' && d.port === P)).toBe(true);
  });

  it('with the network off there is no proxy path, but paddock-ask still reaches the gate', async () => {
    const sock = await h.open('tester', `allow net app.test:${srv.port}\nallow action ok-thing\ndeny action bad-thing`, { mode: 'gate' });
    const helperDir = path.join(h.dir, 'helpers');
    await installHelpers(helperDir);
    const glue = sandboxGlue({ socketDir: path.dirname(sock), helperDir, network: false });
    expect(glue.extraEnv).toEqual({});
    const script = [
      'echo "PROXY=${HTTP_PROXY:-none}"',
      `curl -sS --max-time 3 --proxy http://127.0.0.1:3128 http://app.test:${srv.port}/ >/dev/null 2>&1; echo "A=$?"`,
      'paddock-ask ok-thing; echo "B=$?"',
      'paddock-ask bad-thing 2>/dev/null; echo "C=$?"',
    ].join('\n');
    const plan = await prepareSandbox(world.spec({ command: glue.wrapCommand(['/bin/sh', '-c', script]), extraBinds: glue.extraBinds, extraEnv: glue.extraEnv, extraPath: glue.extraPath }));
    const r = await runPlan(plan);
    expect(r.stdout, r.stderr).toContain('PROXY=none');
    expect(r.stdout).toMatch(/A=[1-9]/);
    expect(r.stdout).toContain('B=0');
    expect(r.stdout).toContain('C=1');
    expect(srv.connections).toBe(0);
  });
});
