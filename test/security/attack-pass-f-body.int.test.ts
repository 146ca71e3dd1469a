/**
 * Attack pass F (black box): a request body over the limit, on the console (`POST /api/<channel>`,
 * 4 MiB) and on the ask gate through the proxy (`POST http://paddock.ask/v1/ask`, 64 KiB). Both
 * are documented to answer 413; they reset the connection instead, so the client saw no error at
 * all. Positive controls: a normal call right after, on the same server.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { consoleSuite, runResuming } from './helpers.js';

const { s, c } = consoleSuite('atkfbody');

function post(port: number, path: string, token: string, body: Buffer): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': body.length } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.on('error', (e) => resolve({ error: e.message }));
    req.end(body);
  });
}

describe('an oversized body gets a 413, not a reset connection', () => {
  it('console: 5 MiB to /api/agents:list answers 413 with the envelope; a normal call still works', async () => {
    const big = await post(c.port, '/api/agents:list', c.token, Buffer.alloc(5 * 1024 * 1024, 0x20));
    // Threat: a client (the console page, a script) losing a request without any error to show.
    expect(big).toMatchObject({ status: 413 });
    expect(JSON.parse((big as { body: string }).body)).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
    // positive control
    const ok = await post(c.port, '/api/agents:list', c.token, Buffer.from('{}'));
    expect(ok).toMatchObject({ status: 200 });
    expect(JSON.parse((ok as { body: string }).body)).toMatchObject({ ok: true });
  });

  it('ask gate: a 100 KiB ask answers 413; a small one is decided', async () => {
    const { dataDir, file, name } = s.setup((n) => ({
      name: n,
      network: 'on',
      rules: 'allow action small-ask\n',
      command: [
        'sh',
        '-c',
        [
          'head -c 102400 /dev/zero | tr "\\0" " " > big.json',
          'echo "big=$(curl -s -m 20 -o /dev/null -w %{http_code} -H "Expect:" -X POST --data-binary @big.json http://paddock.ask/v1/ask)"',
          `echo "small=$(curl -s -m 20 -o /dev/null -w %{http_code} -X POST -d '{"action":"small-ask"}' http://paddock.ask/v1/ask)"`,
        ].join('\n'),
      ],
    }));
    const r = await runResuming(dataDir, file, name, { ms: 60_000 });
    expect(r.stdout, r.stderr).toContain('big=413');
    expect(r.stdout, r.stderr).toContain('small=200');
  });
});

describe('paddock serve --port takes decimal digits only', () => {
  it('"0x3e8", "1e3" and " 0" are usage errors (exit 2), not a console on port 1000 or a random one; "0" still serves', () => {
    for (const bad of ['0x3e8', '1e3', ' 0', '+0']) {
      // Threat: a console listening on a port the user never typed (a typo becomes a live API).
      const r = paddock(['--data-dir', join(s.dir, 'serve-bad'), 'serve', '--port', bad], { timeout: 8_000, killSignal: 'SIGKILL' });
      expect(r.code, `${bad}: ${r.stdout} ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('--port takes a number from 0 to 65535');
      expect(r.stdout).not.toContain('#token=');
    }
  });
});
