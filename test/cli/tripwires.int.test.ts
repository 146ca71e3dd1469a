import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

// Loopback only: one test server that streams slowly (/slow) or answers at once (/fast).
const tmp = tempDir('paddock-trip-');
let server: Server;
let slowStarted = 0;
const port = (): number => (server.address() as AddressInfo).port;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') {
      slowStarted++;
      const timer = setInterval(() => res.write('x'.repeat(1024)), 50);
      const stop = setTimeout(() => res.end(), 30_000);
      res.on('close', () => (clearInterval(timer), clearTimeout(stop)));
      return;
    }
    res.end('hello fast\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
});
afterAll(() => {
  server.close();
  tmp.cleanup();
});

function events(dataDir: string, agent: string): Record<string, unknown>[] {
  const r = paddock(['--data-dir', dataDir, 'events', '--agent', agent, '--json', '--limit', '10000']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the network switch, live', () => {
  it('net off cuts a running download and refuses new connections; net on restores', async () => {
    const dataDir = join(tmp.dir, 'switch');
    const file = join(tmp.dir, 'switch.yaml');
    const c = 'env -u NO_PROXY -u no_proxy curl -fsS';
    writeFileSync(
      file,
      `name: switchy\nnetwork: on\nrules: |\n  allow net 127.0.0.1:${port()}\ncommand: [sh, -c, "${c} --max-time 60 -o /dev/null http://127.0.0.1:${port()}/slow || echo CUT; ${c} http://127.0.0.1:${port()}/fast || echo REFUSED; i=0; while [ $i -lt 150 ]; do ${c} http://127.0.0.1:${port()}/fast 2>/dev/null && break; i=$((i+1)); sleep 0.2; done"]\n`,
    );
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    try {
      await waitFor(() => slowStarted > 0, 20_000);
      expect(paddock(['--data-dir', dataDir, 'net', 'switchy', 'off']).code).toBe(0);
      await waitFor(() => /REFUSED/.test(run.out()), 10_000);
      expect(run.out()).toMatch(/CUT\n/);
      expect(paddock(['--data-dir', dataDir, 'net', 'switchy', 'on']).code).toBe(0);
      expect(await run.exit).toBe(0);
      expect(run.out()).toContain('hello fast');
      expect(events(dataDir, 'switchy').filter((e) => e.kind === 'rule.change').map((e) => e.rule)).toEqual(['network off', 'network on']);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

describe('tripwires', () => {
  it('a CPU-burning agent raises cpu-sustained and is paused when configured to be', async () => {
    const dataDir = join(tmp.dir, 'cpu');
    const file = join(tmp.dir, 'cpu.yaml');
    writeFileSync(file, `name: miner\ncommand: [sh, -c, "while :; do :; done"]\n`);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { env: { ...process.env, PADDOCK_CPU_ALERT: '0.3:2:pause' } });
    try {
      const alert = await waitFor(() => events(dataDir, 'miner').find((e) => e.kind === 'alert' && e.type === 'cpu-sustained'), 30_000);
      expect(alert.message).toMatch(/cores/);
      await waitFor(() => events(dataDir, 'miner').some((e) => e.kind === 'agent.pause'), 10_000);
      await waitFor(() => /"state":"paused"/.test(paddock(['--data-dir', dataDir, 'ps', '--json']).stdout), 10_000);
      // The frozen terminal says why and how to go on (issue 16: it was silent, and looked hung).
      await waitFor(() => /paddock: paused miner: .*cpu.* — paddock resume miner\n/i.test(run.err()), 10_000);
      expect(paddock(['--data-dir', dataDir, 'kill', 'miner']).code).toBe(0);
      expect(await run.exit).toBe(137);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('a guest paddock run is told on stderr when the host pauses its agent, and when it resumes', async () => {
    const dataDir = join(tmp.dir, 'cpu-guest');
    const file = join(tmp.dir, 'cpu-guest.yaml');
    writeFileSync(file, `name: guest-miner\ncommand: [sh, -c, "while :; do :; done"]\n`);
    const host = paddockAsync(['--data-dir', dataDir, 'serve', '--port', '0'], { env: { ...process.env, PADDOCK_CPU_ALERT: '0.3:2:pause' } });
    // The host first: a run started before it holds the data dir would become the host itself.
    await waitFor(() => /token=/.test(host.out()), 20_000);
    const guest = paddockAsync(['--data-dir', dataDir, 'run', file]);
    try {
      await waitFor(() => /paddock: paused guest-miner: .* — paddock resume guest-miner\n/.test(guest.err()), 30_000);
      expect(paddock(['--data-dir', dataDir, 'resume', 'guest-miner']).code).toBe(0);
      await waitFor(() => /paddock: resumed guest-miner\n/.test(guest.err()), 10_000);
      expect(paddock(['--data-dir', dataDir, 'kill', 'guest-miner']).code).toBe(0);
      expect(await guest.exit).toBe(137);
    } finally {
      guest.child.kill('SIGKILL');
      host.child.kill('SIGTERM');
      await host.exit;
    }
  });

  it('a malformed PADDOCK_CPU_ALERT is refused with the expected format (exit 125)', () => {
    const file = join(tmp.dir, 'x.yaml');
    writeFileSync(file, 'name: x\ncommand: [sh, -c, "exit 0"]\n');
    const r = paddock(['--data-dir', join(tmp.dir, 'bad'), 'run', file], { env: { ...process.env, PADDOCK_CPU_ALERT: 'lots' } });
    expect(r.stderr).toMatch(/CORES:SECONDS/);
    expect(r.code).toBe(125);
  });
});
