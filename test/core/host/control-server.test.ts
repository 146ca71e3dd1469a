import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { listenControl, type Handlers } from '../../../src/core/host/control-server.js';
import { tempDir } from '../../helpers/cli.js';

// Closing the control socket waits for its clients only as long as they are there: a `paddock run`
// host with no client left exits at once (issue 17: it used to wait a fixed 50 ms). Timers are
// faked, so "does not wait" is checked without measuring time: the close must resolve while no
// timer has fired.

const tmp = tempDir('paddock-ctl-');
afterAll(() => tmp.cleanup());
afterEach(() => void vi.useRealTimers());

let n = 0;
const handlers = { hello: async () => ({ ok: true }) } as unknown as Handlers;

async function connected(path: string, allowHalfOpen = false): Promise<Socket> {
  const s = connect({ path, allowHalfOpen });
  await new Promise((r) => s.once('connect', r));
  s.on('error', () => undefined);
  return s;
}

/** Resolves with whether `p` settled within a few turns of the event loop (no timer can fire). */
async function settlesWithoutTimers(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 50 && !done; i++) await new Promise((r) => setImmediate(r));
  return done;
}

describe('control socket close', () => {
  it('with no client connected, closes without waiting for a timer', async () => {
    const ctl = await listenControl(join(tmp.dir, `c${++n}.sock`), handlers);
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    expect(await settlesWithoutTimers(ctl.close())).toBe(true);
  });

  it('with clients that close their end, resolves once they are gone, without a timer', async () => {
    const path = join(tmp.dir, `c${++n}.sock`);
    const ctl = await listenControl(path, handlers);
    const clients = [await connected(path), await connected(path)];
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    expect(await settlesWithoutTimers(ctl.close())).toBe(true);
    for (const c of clients) expect(c.readableEnded || c.destroyed).toBe(true);
  });

  it('a client that keeps its end open is cut after 50 ms (control: the wait is still bounded)', async () => {
    const path = join(tmp.dir, `c${++n}.sock`);
    const ctl = await listenControl(path, handlers);
    const stubborn = await connected(path, true);
    stubborn.on('end', () => undefined); // half-open: never ends its side
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const closing = ctl.close();
    expect(await settlesWithoutTimers(closing)).toBe(false);
    await vi.advanceTimersByTimeAsync(50);
    expect(await settlesWithoutTimers(closing)).toBe(true);
    stubborn.destroy();
  });
});
