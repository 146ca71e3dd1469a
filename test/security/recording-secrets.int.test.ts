import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentCa } from '../../src/core/vault/ca.js';
import { paddock, paddockAsync, startServe, tempDir, waitFor } from '../helpers/cli.js';
import { leaks } from './helpers.js';

// Issue 18 part 3: secret values the vault delivered never reach a run's recording — not in the
// recording file, not in `paddock logs`, not in the `--cast` export (what the replay plays) — even
// when the agent prints them in pieces, and even for a header secret that came back in a response.
const tmp = tempDir('paddock-rec-secrets-');
const dataDir = join(tmp.dir, 'data');
const caFile = join(tmp.dir, 'upstream-ca.pem');
const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'recording secrets passphrase', NODE_EXTRA_CA_CERTS: caFile };
let host: Awaited<ReturnType<typeof startServe>>;
let echo: Server;
const received: string[] = [];

beforeAll(async () => {
  // A loopback HTTPS server that echoes the Authorization header it got, in two writes 300 ms apart.
  const ca = createAgentCa('test-upstream');
  writeFileSync(caFile, ca.certPem);
  const leaf = ca.issue('localhost');
  echo = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const auth = String(req.headers.authorization ?? '');
    received.push(auth);
    res.write(`got=${auth.slice(0, 14)}`);
    setTimeout(() => res.end(`${auth.slice(14)}\n`), 300);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  // Runs through a host are recorded (the app, the console and a guest `paddock run` alike).
  host = await startServe(dataDir, env);
}, 30_000);
afterAll(async () => {
  await host.stop();
  echo.close();
  tmp.cleanup();
});

const logs = (args: string[]) => paddock(['--data-dir', dataDir, 'logs', ...args], { env, maxBuffer: 64 * 1024 * 1024 });

/** Everything kept of the agent's runs: the raw recordings, `paddock logs`, and the `--cast` export. */
function recorded(agent: string): string {
  const dir = join(dataDir, 'agents', agent, 'runs');
  const raw = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  return `${raw}\n${logs([agent]).stdout}\n${logs([agent, '--cast']).stdout}`;
}

describe('secret values in run recordings', { timeout: 90_000 }, () => {
  it('a file secret printed in two writes is masked in the recording, the logs and the cast export', () => {
    const value = 'fQ7w9xZk2m8841vB3nTy';
    const file = join(tmp.dir, 'filer.yaml');
    writeFileSync(
      file,
      `name: filer\nsecrets:\n  - { name: DB_PASS, as: file }\ncommand: [sh, -c, "head -c 9 ~/.secrets/DB_PASS; sleep 0.3; tail -c +10 ~/.secrets/DB_PASS; echo; echo end"]\n`,
    );
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', 'filer', 'DB_PASS'], { input: `${value}\n`, env }).code).toBe(0);
    const r = paddock(['--data-dir', dataDir, 'run', file], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(value); // the agent did get it (positive control)
    expect(logs(['filer']).stdout).toBe('[secret DB_PASS]\nend\n');
    const cast = logs(['filer', '--cast']).stdout.trim().split('\n').slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(cast.filter((e) => e[1] === 'o').map((e) => e[2]).join('')).toBe('[secret DB_PASS]\nend\n');
    expect(leaks(recorded('filer'), value)).toBeNull();
  });

  it('a header secret echoed back by the server it was sent to never reaches the recording, the logs or the cast export', async () => {
    const value = 'hK4Fq8Lm2P0093wXc7Rd';
    const port = (echo.address() as AddressInfo).port;
    const file = join(tmp.dir, 'header.yaml');
    const curl = `env -u NO_PROXY -u no_proxy curl -fsS --max-time 20 -H 'Authorization: Bearer '$API_KEY https://localhost:${port}/`;
    writeFileSync(
      file,
      `name: echoed\nnetwork: on\nrules: |\n  allow net localhost:${port}\nsecrets:\n  - { name: API_KEY, as: header, hosts: ['localhost:${port}'], header: "Authorization: Bearer {}" }\ncommand: [sh, -c, "${curl} && echo end"]\n`,
    );
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', 'echoed', 'API_KEY'], { input: `${value}\n`, env }).code).toBe(0);
    // Async: the echo server lives in this process (a synchronous spawn would block it).
    const run = paddockAsync(['--data-dir', dataDir, 'run', file], { env });
    try {
      // The proxy sees its secret's value come back in the response (split over two writes): it
      // replaces it with the placeholder, raises secret-exfil and pauses the agent.
      await waitFor(() => /secret-exfil.*API_KEY came back/.test(paddock(['--data-dir', dataDir, 'events', '--agent', 'echoed']).stdout), 30_000);
      expect(paddock(['--data-dir', dataDir, 'resume', 'echoed'], { env }).code).toBe(0);
      expect(await run.exit, run.err()).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
    // Positive control: the value was injected (the server got it); the agent only ever saw its placeholder.
    expect(received).toEqual([`Bearer ${value}`]);
    const placeholder = /^got=Bearer (\S+)\nend\n$/.exec(run.out())?.[1];
    expect(placeholder).toBeTruthy();
    expect(placeholder).not.toContain(value.slice(0, 6));
    expect(logs(['echoed']).stdout).toBe(`got=Bearer ${placeholder}\nend\n`);
    expect(leaks(recorded('echoed'), value)).toBeNull();
  });
});
