// Fault: the agent's egress proxy socket is killed from outside (its socket file removed and the
// path blocked). Black box through `paddock run`. With the socat bridge fallback the agent loses the
// network (fails closed, never a direct route), an `alert` of type `proxy` is logged, and the network
// comes back once the path is free. With the proxy listening inside the sandbox (issue 17) the
// agent's network does not go through that file; the ask gate (`paddock-ask`) does: it fails closed
// while the file is gone and comes back.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, waitFor } from '../helpers/cli.js';
import { eventsOf, faultBed, psRows } from './helpers.js';

const bed = faultBed('paddock-fault-proxy-');
let server: Server;
beforeAll(async () => {
  // Loopback only: the one server the agent may reach through its proxy.
  server = createServer((_req, res) => res.end('pong\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
});
afterEach(() => bed.killStarted());
afterAll(() => {
  server.close();
  bed.cleanup();
});

describe('proxy killed under a running agent', () => {
  it('(socat bridge) no network while it is down, an alert (type proxy), then the network recovers', async () => {
    const port = (server.address() as AddressInfo).port;
    // NO_PROXY covers the sandbox's own loopback; the server is on the host's, so curl must use the proxy.
    const loop = `i=0; while [ $i -lt 400 ]; do i=$((i+1)); if env -u NO_PROXY -u no_proxy curl -s --max-time 2 http://127.0.0.1:${port}/ >/dev/null; then echo OK $i; else echo FAIL $i; fi; sleep 0.1; done`;
    const { dataDir, file, name } = bed.setup((a) => `name: ${a}\nnetwork: on\nrules: |\n  allow net 127.0.0.1:${port}\ncommand: [sh, -c, ${JSON.stringify(loop)}]\n`, 'proxy');
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { env: { ...process.env, PADDOCK_NET_PATH: 'bridge' } });
    bed.started.push(run);
    await waitFor(() => /^OK \d+$/m.test(run.out()), 20_000);
    const info = await waitFor(() => psRows(dataDir).find((r) => r.agent === name), 10_000);
    const sock = join(dataDir, 'run', 'egress', info.run, 'proxy.sock');
    expect(statSync(sock).isSocket()).toBe(true);

    // Kill the listener from outside: remove its socket and block the path so it cannot come back yet.
    rmSync(sock);
    mkdirSync(sock);
    const downAt = run.out().length;
    const sinceDown = (): string => run.out().slice(downAt);
    try {
      await waitFor(() => eventsOf(dataDir, name, 'alert').find((e) => e.type === 'proxy'), 10_000);
      // Wait for a failure, then for two more attempts in a row: all must fail (no way around the proxy).
      await waitFor(() => /^FAIL (\d+)$/m.test(sinceDown()), 10_000);
      const firstFail = Number(/^FAIL (\d+)$/m.exec(sinceDown())![1]);
      await waitFor(() => new RegExp(`^(OK|FAIL) ${firstFail + 2}$`, 'm').test(sinceDown()), 10_000);
      const window = sinceDown().split('\n').filter((l) => Number(l.split(' ')[1]) >= firstFail && Number(l.split(' ')[1]) <= firstFail + 2);
      expect(window.every((l) => l.startsWith('FAIL'))).toBe(true);
    } finally {
      rmSync(sock, { recursive: true, force: true });
    }
    // The proxy heals on the same path: the agent's next requests succeed again.
    const healedAt = run.out().length;
    await waitFor(() => /^OK \d+$/m.test(run.out().slice(healedAt)), 15_000);
    const alert = eventsOf(dataDir, name, 'alert').find((e) => e.type === 'proxy');
    expect(String(alert?.message)).toMatch(/no network/);

    paddock(['--data-dir', dataDir, 'kill', name]);
    await run.exit;
  });

  it('(listener inside the sandbox) the network stays up, paddock-ask fails closed while the socket is gone, an alert, then it recovers', async () => {
    const port = (server.address() as AddressInfo).port;
    const loop = `i=0; while [ $i -lt 400 ]; do i=$((i+1)); env -u NO_PROXY -u no_proxy curl -s --max-time 2 http://127.0.0.1:${port}/ >/dev/null && n=NET || n=NONET; paddock-ask fine 2>/dev/null && a=ASK || a=NOASK; echo "$n $a $i"; sleep 0.1; done`;
    const { dataDir, file, name } = bed.setup((a) => `name: ${a}\nnetwork: on\nrules: |\n  allow net 127.0.0.1:${port}\n  allow action fine\ncommand: [sh, -c, ${JSON.stringify(loop)}]\n`, 'proxy');
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    bed.started.push(run);
    await waitFor(() => /^NET ASK \d+$/m.test(run.out()), 20_000); // positive control
    const info = await waitFor(() => psRows(dataDir).find((r) => r.agent === name), 10_000);
    const sock = join(dataDir, 'run', 'egress', info.run, 'proxy.sock');
    rmSync(sock);
    mkdirSync(sock);
    const downAt = run.out().length;
    try {
      await waitFor(() => eventsOf(dataDir, name, 'alert').find((e) => e.type === 'proxy'), 10_000);
      await waitFor(() => /^NET NOASK \d+$/m.test(run.out().slice(downAt)), 10_000);
      expect(run.out().slice(downAt)).not.toMatch(/^NONET/m);
    } finally {
      rmSync(sock, { recursive: true, force: true });
    }
    const healedAt = run.out().length;
    await waitFor(() => /^NET ASK \d+$/m.test(run.out().slice(healedAt)), 15_000);
    paddock(['--data-dir', dataDir, 'kill', name]);
    await run.exit;
  });
});
