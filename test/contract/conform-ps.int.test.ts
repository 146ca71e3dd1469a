import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, startServe, tempDir, waitFor } from '../helpers/cli.js';

// PRODUCT.md: "`ps` prints one line per run: `NAME RUN STATE PIDS CPU MEM UPTIME`, STATE one of
// `starting running paused`" and "`--json` switches any listing to JSON Lines". The JSON lines
// named the agent only `agent`: a tool reading the NAME column as `name` found nothing.
const tmp = tempDir('paddock-conform-ps-');
const hosts: Awaited<ReturnType<typeof startServe>>[] = [];
const started: ReturnType<typeof paddockAsync>[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  for (const h of hosts.splice(0)) await h.stop();
});
afterAll(() => tmp.cleanup());

describe('paddock ps', () => {
  it('one line per run with the seven columns; --json names the agent `name`; states follow pause/resume; kill exits 137', async () => {
    const dataDir = join(tmp.dir, 'data');
    hosts.push(await startServe(dataDir));
    const file = join(tmp.dir, 'sleepy.yaml');
    writeFileSync(file, 'name: sleepy\ncommand: [sh, -c, "echo up; sleep 1000"]\n');
    const guest = paddockAsync(['--data-dir', dataDir, 'run', file]);
    started.push(guest);
    await waitFor(() => /up/.test(guest.out()), 20_000);

    const ps = (): string[][] => paddock(['--data-dir', dataDir, 'ps']).stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    const [header, ...rows] = ps();
    expect(header).toEqual(['NAME', 'RUN', 'STATE', 'PIDS', 'CPU', 'MEM', 'UPTIME']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveLength(7);
    expect(rows[0]![0]).toBe('sleepy');
    expect(rows[0]![2]).toBe('running');
    expect(rows[0]![3]).toMatch(/^\d+(,\d+)*$/);

    const json = paddock(['--data-dir', dataDir, 'ps', '--json']);
    expect(json.code).toBe(0);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ name: 'sleepy', agent: 'sleepy', run: rows[0]![1], state: 'running' });
    expect(JSON.parse(paddock(['--data-dir', dataDir, '--json', 'ps']).stdout)).toMatchObject({ name: 'sleepy', state: 'running' }); // the global form
    expect((lines[0]!.pids as number[]).join(',')).toBe(rows[0]![3]);

    expect(paddock(['--data-dir', dataDir, 'pause', 'sleepy']).code).toBe(0);
    expect(ps()[1]![2]).toBe('paused');
    expect(paddock(['--data-dir', dataDir, 'resume', 'sleepy']).code).toBe(0);
    expect(ps()[1]![2]).toBe('running');
    expect(paddock(['--data-dir', dataDir, 'kill', 'sleepy']).code).toBe(0);
    expect(await guest.exit).toBe(137);
    expect(paddock(['--data-dir', dataDir, 'ps']).stdout).not.toMatch(/sleepy/);
  });
});
