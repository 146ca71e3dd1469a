/**
 * Attack pass C (black box), secrets in run recordings: an `env` secret printed with an escape
 * sequence, a DCS string or NULs between its characters (a colour change mid-token, UTF-16 output)
 * slipped past the byte-for-byte masking, and `paddock logs` — which removes escape sequences and
 * controls — then showed the value whole (the replay too). Runs through a `paddock serve` host
 * (guest runs are recorded); no network.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainText } from '../../src/shared/terminal-text.js';
import { paddock, startServe, tempDir } from '../helpers/cli.js';
import { leaks } from './helpers.js';

const tmp = tempDir('paddock-atk-rec-');
const dataDir = join(tmp.dir, 'data');
const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'attack pass recording passphrase' };
let host: Awaited<ReturnType<typeof startServe>>;

beforeAll(async () => {
  host = await startServe(dataDir, env);
}, 30_000);
afterAll(async () => {
  await host.stop();
  tmp.cleanup();
});

const logs = (args: string[]) => paddock(['--data-dir', dataDir, 'logs', ...args], { env, maxBuffer: 64 * 1024 * 1024 });

describe('secret values hidden from the masking by what the viewers remove', { timeout: 90_000 }, () => {
  it('an env secret split by SGR, DCS, OSC, NUL, UTF-16 or a backspaced byte is masked in the recording, the logs and the cast', () => {
    const value = 'tok-S3cretValue-123456';
    const file = join(tmp.dir, 'esc.yaml');
    // printf's own escapes: \033 ESC, \000 NUL, \010 backspace, \007 BEL. The value is cut after 8 characters.
    const prog = [
      'a=$(printf %s "$TOKEN" | cut -c1-8); b=$(printf %s "$TOKEN" | cut -c9-)',
      'printf "sgr: %s\\033[0m%s\\n" "$a" "$b"',
      'printf "dcs: %s\\033P+q\\033\\\\%s\\n" "$a" "$b"',
      'printf "osc: %s\\033]0;x\\007%s\\n" "$a" "$b"',
      'printf "nul: %s\\000%s\\n" "$a" "$b"',
      'printf "bs: %sX\\010%s\\n" "$a" "$b"',
      'printf "u16: "; printf %s "$TOKEN" | iconv -f utf-8 -t utf-16le; printf "\\n"',
      'printf "plain: %s\\n" "$TOKEN"',
      'printf "\\033[32mgreen kept\\033[0m\\n"',
    ].join('; ');
    writeFileSync(file, `name: esc\nsecrets:\n  - { name: TOKEN, as: env }\ncommand: [sh, -c, ${JSON.stringify(prog)}]\n`);
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', 'esc', 'TOKEN'], { input: `${value}\n`, env }).code).toBe(0);
    const r = paddock(['--data-dir', dataDir, 'run', file], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`plain: ${value}`); // the agent did get it (positive control)
    expect(plainText(r.stdout)).toContain(`sgr: ${value}`); // and the split form shows it whole

    const text = logs(['esc']).stdout;
    for (const tag of ['sgr', 'dcs', 'osc', 'nul', 'bs', 'u16', 'plain']) expect(text).toContain(`${tag}: [secret TOKEN]\n`);
    expect(text).toContain('green kept'); // other output is kept
    const cast = logs(['esc', '--cast']).stdout.trim().split('\n').slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    const played = cast.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    const dir = join(dataDir, 'agents', 'esc', 'runs');
    const raw = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    for (const t of [text, plainText(played), played, raw]) expect(leaks(t, value)).toBeNull();
  });
});
