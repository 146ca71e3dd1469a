/**
 * Attack pass C (black box), learning mode's proposal: an agent that probes the user's computer
 * directly while learning (loopback addresses, the unspecified address, `localhost`) is refused
 * each time (private-probe), but each refusal used to come back as a proposed rule
 * ("allow net 127.0.0.1:22", "allow net ::1", "allow net 0.0.0.0", "allow net localhost:5432"):
 * rules that open the host's own loopback services, which a user skimming the diff reads as "the
 * agent's own localhost". Loopback only: nothing is dialled (every probe is refused before a dial).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { agentDirs, runResuming, suite } from './helpers.js';

const s = suite('atklearn');
afterAll(() => s.cleanup());

/** SOCKS5 CONNECTs (one at a time: each refusal of a special address pauses the agent, the harness resumes it). */
function socksProbe(targets: { atyp: 1 | 3 | 4; addr: number[] | string; port: number }[]): string {
  return [
    'import socket, struct, time',
    `T = ${JSON.stringify(targets)}`,
    'for t in T:',
    '    a = bytes(t["addr"]) if t["atyp"] != 3 else bytes([len(t["addr"])]) + t["addr"].encode()',
    '    for i in range(40):',
    '        try:',
    '            c = socket.create_connection(("127.0.0.1", 3128), timeout=10)',
    '            c.sendall(b"\\x05\\x01\\x00"); c.recv(2)',
    '            c.sendall(b"\\x05\\x01\\x00" + bytes([t["atyp"]]) + a + struct.pack(">H", t["port"]))',
    '            r = c.recv(10)',
    '            print("probe", t["port"], r[1] if len(r) > 1 else -1, flush=True)',
    '            break',
    '        except Exception as e:',
    '            time.sleep(0.3)',
    'print("probe-done", flush=True)',
  ].join('\n');
}

describe('learning never proposes a way to the host’s loopback', () => {
  it('probes of 127.0.0.1, 127.1, ::1, 0.0.0.0 and localhost are not proposed; host.paddock.internal:PORT still is', async () => {
    const targets = [
      { atyp: 1 as const, addr: [127, 0, 0, 1], port: 22 },
      { atyp: 3 as const, addr: '127.1', port: 6380 },
      { atyp: 4 as const, addr: [...Array(15).fill(0), 1], port: 443 },
      { atyp: 1 as const, addr: [0, 0, 0, 0], port: 80 },
      { atyp: 3 as const, addr: 'localhost', port: 5432 },
      // Positive control: the documented way to a service of the user's computer is proposed (marked denied).
      { atyp: 3 as const, addr: 'host.paddock.internal', port: 6391 },
    ];
    const { dataDir, file, name } = s.setup((n) => ({ name: n, network: 'on', approvals: { timeout: 3 }, rules: 'ask net *\n' }));
    expect(paddock(['--data-dir', dataDir, 'run', file, '--', 'true']).code).toBe(0);
    expect(paddock(['--data-dir', dataDir, 'learn', name, 'on']).code).toBe(0);
    writeFileSync(join(agentDirs(dataDir, name).workspace, 'probe.py'), socksProbe(targets));
    const r = await runResuming(dataDir, file, name, { args: ['--', 'python3', 'probe.py'], ms: 60_000 });
    expect(r.stdout).toContain('probe-done');
    for (const t of targets) expect(r.stdout).toMatch(new RegExp(`probe ${t.port} [1-9]`)); // every probe refused

    const json = JSON.parse(paddock(['--data-dir', dataDir, 'learn', name, '--suggest', '--json']).stdout) as {
      proposal: { rules: { rule: string; denied: boolean }[]; notProposed: { target: string; why: string }[]; after: string };
    };
    const p = json.proposal;
    expect(p.rules).toEqual([{ rule: 'allow net host.paddock.internal:6391', from: ['host.paddock.internal:6391'], denied: true }]);
    for (const bad of ['127.0.0.1', '::1', '0.0.0.0', 'localhost']) expect(p.after).not.toContain(`allow net ${bad}`);
    const why = (port: number): string => p.notProposed.find((x) => x.target.endsWith(`:${port}`))?.why ?? '(proposed or missing)';
    expect(why(22)).toMatch(/loopback.*host\.paddock\.internal:22/);
    expect(why(6380)).toMatch(/loopback/);
    expect(why(443)).toMatch(/loopback/);
    expect(why(80)).toMatch(/unspecified/);
    expect(why(5432)).toMatch(/agent's own machine.*host\.paddock\.internal:5432/);
  }, 120_000);
});
