import { describe, expect, it, vi } from 'vitest';

// The first start of a process checks bubblewrap with a trial sandbox. A host that will start agents
// runs that probe in the background (probePlatform, from prestart), so the start that follows does
// not block on a synchronous spawn (issue 17: ~5–25 ms of every `paddock run`'s own start).

const calls = vi.hoisted(() => ({ spawnSync: [] as string[] }));
vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  return {
    ...real,
    spawnSync: ((cmd: string, ...rest: unknown[]) => {
      calls.spawnSync.push(cmd);
      return (real.spawnSync as (...a: unknown[]) => unknown)(cmd, ...rest);
    }) as typeof real.spawnSync,
  };
});

const { assertPlatformSupported, findBwrap, probePlatform } = await import('../../../src/core/sandbox/platform.js');

describe.runIf(process.platform === 'linux' && findBwrap())('platform probe', () => {
  it('after probePlatform, the platform check spawns nothing synchronously; it still passes (real bwrap)', async () => {
    await probePlatform();
    expect(() => assertPlatformSupported('linux')).not.toThrow();
    expect(calls.spawnSync).toEqual([]);
  });

  it('control: a missing bwrap is still refused by the check', () => {
    expect(() => assertPlatformSupported('linux', { bwrapPath: null })).toThrow(/bubblewrap \(bwrap\) is not installed/);
  });
});
