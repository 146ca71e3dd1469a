/**
 * Attack class: reaching Paddock's own controls and other agents. A host (`paddock serve`) runs
 * with its web console on 127.0.0.1; guest agents started with `paddock run` try the control
 * socket, the database, the console port (even with `allow net 127.0.0.1:*` or `allow net host.paddock.internal:*`), host loopback
 * services and each other's proxy sockets. Positive controls: the console answers the host, a
 * loopback service named by a rule answers the agent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddockAsync, waitFor } from '../helpers/cli.js';
import { agentDirs, countingServer, events, probeResults, proxyProbe, psAsync, runResuming, suite, type CountingServer, type ProxyAttempt } from './helpers.js';
import { join } from 'node:path';

const s = suite('ctl');
const dataDir = join(s.dir, 'data');
let host: ReturnType<typeof paddockAsync>;
let consolePort = 0;
let token = '';
let service: CountingServer;

beforeAll(async () => {
  service = await countingServer('service');
  host = paddockAsync(['--data-dir', dataDir, 'serve', '--port', '0']);
  const url = await waitFor(() => /http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+)/.exec(host.out()), 20_000);
  consolePort = Number(url[1]);
  token = url[2]!;
});
afterAll(async () => {
  host.child.kill('SIGTERM');
  await Promise.race([host.exit, new Promise((r) => setTimeout(r, 5000))]);
  if (host.child.exitCode === null) host.child.kill('SIGKILL');
  await service.close();
  s.cleanup();
});

const get = (h: string, port: number): string => `GET http://${h}:${port}/api/agents HTTP/1.1\r\nHost: ${h}:${port}\r\nAuthorization: Bearer guess\r\n\r\n`;

describe('the agent cannot reach the controls', () => {
  it('the console port is refused even with allow net * and allow net 127.0.0.1:*, with a control-plane alert; the host still reaches it and the agent reaches a named loopback service', async () => {
    const attempts: ProxyAttempt[] = [];
    for (const h of ['127.0.0.1', 'localhost', '127.1', '[::ffff:127.0.0.1]', '2130706433', 'host.paddock.internal', 'HOST.paddock.internal.']) {
      attempts.push({ tag: `get ${h}`, http: get(h, consolePort) }, { tag: `connect ${h}`, http: `CONNECT ${h}:${consolePort} HTTP/1.1\r\n\r\n` });
    }
    attempts.push({ tag: 'socks localhost', socksHost: 'localhost', port: consolePort }, { tag: 'socks host.paddock.internal', socksHost: 'host.paddock.internal', port: consolePort });
    const ok: ProxyAttempt[] = [{ tag: 'service', http: get('127.0.0.1', service.port) }, { tag: 'service via host.paddock.internal', http: get('host.paddock.internal', service.port) }];
    const cfg = s.setup((a) => ({
      name: a,
      network: 'on',
      rules: 'allow net *\nallow net 127.0.0.1:*\nallow net localhost:*\nallow net host.paddock.internal:*\n',
      command: [
        'bash',
        '-c',
        [
          `test -e ${dataDir}/run/paddock.sock && echo CONTROL-SOCKET-VISIBLE`,
          `test -e ${dataDir}/paddock.db && echo DATABASE-VISIBLE`,
          `ls ${dataDir}/run 2>/dev/null && echo RUN-DIR-VISIBLE`,
          `python3 - <<'PY'\n${proxyProbe(attempts)}\nPY`,
          `for i in $(seq 20); do sleep 0.5; python3 - > ok.txt <<'PY'\n${proxyProbe(ok)}\nPY\ngrep -q paused ok.txt || break; done; cat ok.txt`,
        ].join('\n'),
      ],
    }), dataDir);
    const r = await runResuming(dataDir, cfg.file, cfg.name, { ms: 40_000 });
    expect(r.stdout).toContain('probe-done');
    expect(r.stdout).not.toMatch(/VISIBLE/);
    const res = probeResults(r.stdout);
    for (const a of attempts) {
      expect(res.get(a.tag), a.tag).not.toMatch(/^HTTP\/1\.[01] 2\d\d|^socks 0|\[\{|"name"/);
    }
    const alerts = events(dataDir, cfg.name, 'alert');
    expect(alerts.some((e) => e.type === 'control-plane')).toBe(true);
    expect(r.pauses).toBeGreaterThan(0); // control-plane auto-pauses the agent
    // positive controls
    expect(res.get('service')).toContain('hello from service');
    expect(res.get('service via host.paddock.internal')).toContain('hello from service');
    const api = await fetch(`http://127.0.0.1:${consolePort}/api/agents`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
  });

  it("two agents side by side: neither sees the other's proxy socket, home or workspace; each keeps its own proxy", async () => {
    const a = s.setup((n) => ({ name: n, network: 'on', command: ['sh', '-c', 'echo a-secret > ~/mine; touch ready; sleep 5'] }), dataDir);
    const aDirs = agentDirs(dataDir, a.name);
    const first = runResuming(dataDir, a.file, a.name, { ms: 30_000 });
    await waitFor(async () => (await psAsync(dataDir)).some((r) => r.agent === a.name && r.state === 'running'), 20_000);
    const b = s.setup((n) => ({
      name: n,
      network: 'on',
      rules: `allow net 127.0.0.1:${service.port}\n`,
      command: [
        'bash',
        '-c',
        [
          'echo own=$(ls /run/paddock/net)',
          `ls ${dataDir}/agents`,
          `cat ${aDirs.home}/mine 2>/dev/null && echo OTHER-HOME-VISIBLE`,
          `test -e ${aDirs.workspace} && echo OTHER-WORKSPACE-VISIBLE`,
          `ls ${dataDir}/run/egress 2>/dev/null && echo EGRESS-DIR-VISIBLE`,
          `find /run /tmp /var /dev /home /root ${s.dir} -name 'proxy.sock' 2>/dev/null | sed 's/^/sock=/'`,
          `env -u NO_PROXY -u no_proxy curl -sS --max-time 10 http://127.0.0.1:${service.port}/`,
        ].join('\n'),
      ],
    }), dataDir);
    const second = await runResuming(dataDir, b.file, b.name);
    expect(second.stdout).not.toMatch(/VISIBLE|a-secret/);
    expect(second.stdout).toContain('own=proxy.sock');
    expect(second.stdout).toMatch(new RegExp(`^${b.name}$`, 'm'));
    expect(second.stdout).not.toMatch(new RegExp(`^${a.name}$`, 'm'));
    expect(second.stdout.match(/^sock=.*/gm) ?? []).toEqual(['sock=/run/paddock/net/proxy.sock']);
    expect(second.stdout).toContain('hello from service'); // positive control: B's own proxy works
    expect((await first).code).toBe(0); // A was not disturbed
  });

  it('a host loopback service is unreachable with allow net *; a rule naming it opens it', async () => {
    const mk = (rules: string) =>
      s.setup((n) => ({ name: n, network: 'on', rules, command: ['sh', '-c', `env -u NO_PROXY -u no_proxy curl -fsS --max-time 10 http://127.0.0.1:${service.port}/ || echo REFUSED`] }), dataDir);
    const before = service.hits();
    const denied = mk('allow net *\n');
    const r1 = await runResuming(dataDir, denied.file, denied.name);
    expect(r1.stdout).toContain('REFUSED');
    expect(service.hits()).toBe(before);
    const allowed = mk(`allow net 127.0.0.1:${service.port}\n`);
    const r2 = await runResuming(dataDir, allowed.file, allowed.name);
    expect(r2.stdout).toContain('hello from service');
    expect(service.hits()).toBe(before + 1);
  });
});
