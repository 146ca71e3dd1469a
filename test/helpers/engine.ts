import { afterEach } from 'vitest';
import { createEngine, type Engine, type EngineDeps } from '../../src/core/engine.js';
import { tempDir } from './cli.js';

/**
 * Engines for one describe block: each test gets a fresh temp folder (`dir()`); every engine
 * opened with `open()` is closed and the folder removed after the test (closing twice is harmless).
 */
export function tempEngines(): { dir(): string; open(deps?: Partial<EngineDeps>): Promise<Engine> } {
  let tmp: ReturnType<typeof tempDir> | null = null;
  const opened: Engine[] = [];
  afterEach(async () => {
    for (const e of opened.splice(0)) await e.close().catch(() => undefined);
    tmp?.cleanup();
    tmp = null;
  });
  const dir = (): string => (tmp ??= tempDir()).dir;
  return {
    dir,
    async open(deps = {}) {
      const e = await createEngine({ dataDir: dir(), ...deps });
      opened.push(e);
      return e;
    },
  };
}
