import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

// PRODUCT.md "Details that tools and tests rely on": "A hosting `paddock run` whose own agent ends
// while it hosts others prints that it is waiting for them and exits (with its agent's code) when
// they have ended", and a guest `paddock run` "streams the agent's stdio and exit code".
// The hosting run used to close the control socket as soon as the last run ended, before the
// guest's exit code was sent: the guest printed "the Paddock host closed the connection" and
// exited 125 instead of its agent's code.
const tmp = tempDir('paddock-conform-guest-');
const started: ReturnType<typeof paddockAsync>[] = [];
afterEach(() => {
  for (const s of started.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
});
afterAll(() => tmp.cleanup());

/** The agent waits for the test to create `go` in its workspace, then exits with `code`. */
function profile(dataDir: string, name: string, code: number): string {
  const file = join(tmp.dir, `${name}.yaml`);
  const go = join(dataDir, 'agents', name, 'workspace', 'go');
  writeFileSync(file, `name: ${name}\ncommand: [sh, -c, "echo ${name} up; while [ ! -e ${go} ]; do sleep 0.1; done; echo ${name} done; exit ${code}"]\n`);
  return file;
}

const go = (dataDir: string, name: string): void => writeFileSync(join(dataDir, 'agents', name, 'workspace', 'go'), '');

describe('a guest run of a hosting run whose own agent ended first', () => {
  it("gets its own agent's exit code and output; the host exits with its agent's code", async () => {
    const dataDir = join(tmp.dir, 'data-1');
    const host = paddockAsync(['--data-dir', dataDir, 'run', profile(dataDir, 'first', 3)]);
    started.push(host);
    await waitFor(() => /first up/.test(host.out()), 20_000);
    const guest = paddockAsync(['--data-dir', dataDir, 'run', profile(dataDir, 'second', 4)]);
    started.push(guest);
    await waitFor(() => /second up/.test(guest.out()), 20_000);

    go(dataDir, 'first');
    await waitFor(() => /waiting for them to end/.test(host.err()), 20_000);
    expect(host.child.exitCode).toBeNull(); // still hosting

    go(dataDir, 'second');
    const code = await guest.exit;
    expect(guest.err()).not.toMatch(/closed the connection/);
    expect(guest.out()).toContain('second done');
    expect(code).toBe(4);
    expect(await host.exit).toBe(3);
    expect(existsSync(join(dataDir, 'run', 'paddock.sock'))).toBe(false);
  });

  it('positive control: a guest that ends while the host agent still runs gets its code', async () => {
    const dataDir = join(tmp.dir, 'data-2');
    const host = paddockAsync(['--data-dir', dataDir, 'run', profile(dataDir, 'first', 3)]);
    started.push(host);
    await waitFor(() => /first up/.test(host.out()), 20_000);
    const guest = paddockAsync(['--data-dir', dataDir, 'run', profile(dataDir, 'second', 4)]);
    started.push(guest);
    await waitFor(() => /second up/.test(guest.out()), 20_000);
    go(dataDir, 'second');
    expect(await guest.exit).toBe(4);
    go(dataDir, 'first');
    expect(await host.exit).toBe(3);
    const exits = paddock(['--data-dir', dataDir, 'events', '--kind', 'run.exit', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { agent: string; code: number });
    expect(exits.map((e) => [e.agent, e.code]).sort()).toEqual([['first', 3], ['second', 4]]);
  });
});
