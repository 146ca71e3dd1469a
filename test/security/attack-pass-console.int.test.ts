/**
 * Attack pass B (black box), the web console and the control socket, as a local process, another
 * local user and a page from another origin: Host spellings (DNS rebinding), Origin variants (CSRF,
 * cross-site WebSocket), the token anywhere but the Authorization header / subprotocol, the terminal
 * WebSocket, a stale token after a restart, agent text shown in the ask prompt (bidi overrides), and
 * the control socket from `nobody`. Positive controls: the same requests with the right Host/Origin/token.
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { paddock } from '../helpers/cli.js';
import { launchChromium, startConsole } from '../e2e/console-helpers.js';
import { consoleSuite, runResuming } from './helpers.js';

const { s, c } = consoleSuite('atkcon');

function raw(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function ws(port: number, path: string, protocols: string[], headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const sock = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols, { headers });
    sock.on('open', () => {
      resolve(`open:${sock.protocol}`);
      sock.close();
    });
    sock.on('unexpected-response', (_q, res) => resolve(`refused:${res.statusCode}`));
    sock.on('error', (e) => resolve(`error:${e.message}`));
  });
}

describe('the console only answers its own page with the token', () => {
  it('Host spellings other than 127.0.0.1:PORT / localhost:PORT, foreign or null Origins, and the token outside the Authorization header are refused', async () => {
    const P = c.port;
    const auth = { Authorization: `Bearer ${c.token}` };
    // Threat: DNS rebinding — a page on another name that resolves to 127.0.0.1.
    for (const h of [`127.0.0.1:${P}.`, `localhost.:${P}`, `LOCALHOST:${P}`, `127.1:${P}`, '127.0.0.1', `evil.test:${P}`, `[::1]:${P}`, `127.0.0.1:${P}@evil.test`]) {
      expect(await raw(P, '/api/agents', { ...auth, Host: h }), h).toBe(421);
      expect(await raw(P, '/', { Host: h }), `static ${h}`).toBe(421);
    }
    // Threat: CSRF from another origin (also null: sandboxed iframes, file://).
    for (const o of ['null', `https://127.0.0.1:${P}`, `http://127.0.0.1:${P}.evil.test`, `http://127.0.0.1:${P + 1}`, 'http://evil.test']) {
      expect(await raw(P, '/api/agents', { ...auth, Origin: o }), o).toBe(403);
    }
    // Threat: the token leaking through URLs / cookies, or a lax comparison.
    expect(await raw(P, `/api/agents?token=${c.token}`, {})).toBe(401);
    expect(await raw(P, '/api/agents', { Cookie: `token=${c.token}` })).toBe(401);
    expect(await raw(P, '/api/agents', { Authorization: `Bearer ${c.token.slice(0, -1)}` })).toBe(401);
    expect(await raw(P, '/api/terminal/sessions', {})).toBe(401);
    // positive controls
    expect(await raw(P, '/api/agents', auth)).toBe(200);
    expect(await raw(P, '/api/agents', { ...auth, Host: `localhost:${P}`, Origin: `http://localhost:${P}` })).toBe(200);
    expect(await raw(P, '/api/terminal/sessions', auth)).toBe(200);
  });

  it('the WebSocket and the terminal WebSocket refuse a wrong Host, a foreign or null Origin and a token in the query; they open with the subprotocol token', async () => {
    const P = c.port;
    const tok = [`paddock.v1`, `paddock.token.${c.token}`];
    const term = '/api/terminal?session=00000000-0000-0000-0000-000000000000';
    for (const path of ['/api/ws', term]) {
      expect(await ws(P, path, ['paddock.v1']), path).toBe('refused:401');
      expect(await ws(P, `${path}${path.includes('?') ? '&' : '?'}token=${c.token}`, ['paddock.v1']), path).toBe('refused:401');
      expect(await ws(P, path, tok, { Host: `evil.test:${P}` }), path).toMatch(/^refused:4(03|21)$/);
      expect(await ws(P, path, tok, { Origin: 'null' }), path).toBe('refused:403');
      expect(await ws(P, path, tok, { Origin: 'http://evil.test' }), path).toBe('refused:403');
      expect(await ws(P, path, tok, { Origin: c.origin }), path).toBe('open:paddock.v1'); // positive control; the token is never echoed
    }
  });

  it('another local user cannot open the control socket or read the data dir; the owner can', (ctx) => {
    if (process.getuid?.() !== 0 || spawnSync('runuser', ['--help']).status !== 0) ctx.skip();
    const sock = join(c.dataDir, 'run', 'paddock.sock');
    const probe = `const s=require('net').connect(${JSON.stringify(sock)});s.on('connect',()=>{console.log('CONNECTED');s.end()});s.on('error',e=>console.log('ERR',e.code))`;
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', probe], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('ERR EACCES');
    const db = spawnSync('runuser', ['-u', 'nobody', '--', 'cat', join(c.dataDir, 'paddock.db')], { encoding: 'utf8' });
    expect(db.status).not.toBe(0);
    expect(paddock(['--data-dir', c.dataDir, 'ps']).code).toBe(0); // positive control: the owner talks to the host
  });

  // Was a bug (attack pass B, fixed): the console's ask prompt showed agent-chosen text (the action
  // name, the detail) with Unicode bidi overrides applied: `read-\u202efdp.exe` read "read-exe.pdf", so
  // the user approved something other than what they read. Now shown escaped (\u202e), as in the CLI.
  it('the ask prompt never renders a bidi override from the agent: what the user reads is what is asked', async () => {
    const cfg = s.setup((a) => ({
      name: a,
      approvals: { timeout: 30 },
      rules: 'ask action *\n',
      command: ['bash', '-c', `paddock-ask "$(printf 'read-\\u202efdp.exe')" "$(printf 'run \\u202etxet')"; echo asked=$?`],
    }), c.dataDir);
    const done = runResuming(c.dataDir, cfg.file, cfg.name, { ms: 40_000 });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(c.url);
      const prompt = page.getByText(`${cfg.name} asks`).first();
      await prompt.waitFor({ timeout: 20_000 });
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).toContain('read-'); // positive control: the prompt is shown
      await page.getByRole('button', { name: 'Deny' }).first().click();
      expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    } finally {
      await browser.close();
      await done;
    }
  }, 60_000);

  // Was a BUG (attack pass B, low: the token still guards the API): the proxy refused only its own
  // host's console port; the console of another Paddock host on the same machine (a second data dir)
  // was reached by a rule naming its port. Every console now registers its port in the default data
  // dir (`consoles/PORT`) and every host refuses those ports as control plane (PRODUCT.md principle 3).
  it("an agent cannot reach the console of another Paddock host on the same machine, even with a rule naming its port", async () => {
    const other = await startConsole(join(s.dir, 'other-data'));
    try {
      const cfg = s.setup((a) => ({
        name: a,
        network: 'on',
        rules: `allow net 127.0.0.1:${other.port}\nallow net 127.0.0.1:${c.port}\n`,
        command: ['bash', '-c', [c.port, other.port].map((p) => `for i in $(seq 20); do o=$(env -u NO_PROXY -u no_proxy curl -sS --max-time 5 -w ' code=%{http_code}' http://127.0.0.1:${p}/api/agents 2>&1); echo "$o" | grep -q paused || break; sleep 0.5; done; echo "port ${p}: $o"`).join('\n')],
      }), c.dataDir);
      const r = await runResuming(c.dataDir, cfg.file, cfg.name, { ms: 40_000 });
      expect(r.stdout).toMatch(new RegExp(`port ${c.port}: [^\\n]*never reachable[\\s\\S]*?code=403`)); // positive control: its own host's console is refused
      expect(r.stdout).toMatch(new RegExp(`port ${other.port}: [\\s\\S]*?code=403`));
      expect(r.stdout).not.toMatch(/missing or wrong token/);
    } finally {
      await other.stop();
    }
  }, 60_000);

  it('a stale token (the console restarted) is refused on HTTP and WebSocket; the new one works', async () => {
    const old = { ...c };
    await old.stop();
    Object.assign(c, await startConsole(old.dataDir));
    expect(c.token).not.toBe(old.token);
    expect(await raw(c.port, '/api/agents', { Authorization: `Bearer ${old.token}` })).toBe(401);
    expect(await ws(c.port, '/api/ws', ['paddock.v1', `paddock.token.${old.token}`])).toBe('refused:401');
    expect(await raw(c.port, '/api/agents', { Authorization: `Bearer ${c.token}` })).toBe(200);
  });
});
