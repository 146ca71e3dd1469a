import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddockAsync, tempDir, waitFor } from '../helpers/cli.js';

const t = tempDir('paddock-serve-');
afterAll(() => t.cleanup());

describe('paddock serve, as a newcomer starts it (npm start on a machine without Electron runs it)', () => {
  it('prints the URL alone on stdout, says on stderr how to stop it, and Ctrl-C stops it', async () => {
    const data = join(t.dir, 'data');
    const s = paddockAsync(['--data-dir', data, 'serve', '--port', '0']);
    await waitFor(() => /until Ctrl-C/.test(s.err()), 20_000);
    expect(s.out()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}\n$/);
    expect(s.err()).toBe(`paddock: the console hosts ${data} until Ctrl-C, which stops it and every agent it runs\n`);
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(0);
    expect(s.err()).toContain('paddock: stopping every agent and the console\n');
  });
});
