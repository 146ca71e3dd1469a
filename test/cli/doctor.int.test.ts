import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { paddock, tempDir } from '../helpers/cli.js';

const RELAY = path.join(import.meta.dirname, '..', '..', 'native', 'bin', 'paddock-relay');

describe('paddock doctor: the egress relay', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  const relayLine = (env: NodeJS.ProcessEnv): { ok: boolean; message: string; fix: string | null } => {
    const r = paddock(['--data-dir', dir, 'doctor', '--json'], { env });
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; ok: boolean; message: string; fix: string | null });
    return lines.find((l) => l.id === 'egress.relay')!;
  };

  it.skipIf(!existsSync(RELAY))('says bulk tunnels use the native relay, and where it is', () => {
    expect(relayLine({ ...process.env, PADDOCK_NATIVE: '' })).toMatchObject({ ok: true, message: `bulk tunnels: native splice relay (${RELAY})` });
  });

  it('says so when they stay in Node, and how to get the relay when it is missing', () => {
    expect(relayLine({ ...process.env, PADDOCK_NATIVE: 'off' })).toMatchObject({ ok: true, message: expect.stringContaining('in Node (PADDOCK_NATIVE=off)'), fix: null });
    const missing = relayLine({ ...process.env, PADDOCK_NATIVE: dir });
    expect(missing.message).toContain('not built');
    expect(missing.fix).toContain('npm run build');
  });
});
