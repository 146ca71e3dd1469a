// Fault: the hosting `paddock run` is SIGKILLed. The host's own agent case is in
// test/cli/run.int.test.ts ("SIGKILL of the hosting paddock run leaves no agent process after 1 s");
// this is the variant where a guest `paddock run` streams a second agent from the same host.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { paddockAsync, waitFor } from '../helpers/cli.js';
import { pidsWithMarker } from '../helpers/procs.js';
import { faultBed, psRows } from './helpers.js';

const bed = faultBed('paddock-fault-host-');
afterEach(() => bed.killStarted());
afterAll(() => bed.cleanup());

describe('SIGKILL of the host', () => {
  it("kills the guest's agent too (no process left after 1 s) and the guest run ends with an error", async () => {
    const marker = `guest-orphan-${process.pid}-${Date.now()}`;
    const host = bed.setup((a) => `name: ${a}\ncommand: [sh, -c, "sleep 1000"]\n`, 'host');
    const guest = bed.setup(
      (a) => `name: ${a}\ncommand: [sh, -c, "setsid nohup sh -c 'while :; do sleep 1; done' ${marker} >/dev/null 2>&1 & sh -c 'sleep 1000' ${marker}; wait"]\n`,
      'guest',
    );
    const h = paddockAsync(['--data-dir', host.dataDir, 'run', host.file]);
    bed.started.push(h);
    await waitFor(() => psRows(host.dataDir).find((r) => r.agent === host.name), 20_000);
    // The guest uses the host's data dir, so the host starts and supervises its agent.
    const g = paddockAsync(['--data-dir', host.dataDir, 'run', guest.file]);
    bed.started.push(g);
    await waitFor(() => psRows(host.dataDir).find((r) => r.agent === guest.name) && pidsWithMarker(marker).length >= 2, 20_000);

    h.child.kill('SIGKILL');
    await h.exit;
    const guestCode = await g.exit;
    await new Promise((r) => setTimeout(r, 1000));
    expect(pidsWithMarker(marker)).toEqual([]);
    // The guest never reports success for an agent it lost: Paddock's own failure is 125.
    expect(guestCode).toBe(125);
    expect(g.err()).toMatch(/^paddock: /m);
  });
});
