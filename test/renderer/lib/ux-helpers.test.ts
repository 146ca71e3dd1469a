import { describe, expect, it } from 'vitest';
import { isBridgeHelper, LAUNCHER_SH } from '../../../src/core/egress/helper-scripts.js';
import { decidingRule, summary } from '../../../src/renderer/lib/format.js';
import { ruleLineLabel, rulesFirstLine } from '../../../src/renderer/lib/profile-doc.js';
import { joinCommand, splitCommand } from '../../../src/renderer/lib/shell-split.js';
import type { PaddockEvent } from '../../../src/shared/events.schema.js';

describe('splitCommand (the New-agent dialog)', () => {
  it('splits like a shell, without any expansion', () => {
    expect(splitCommand(`sh -c 'echo "a b" > $HOME/x'  *`)).toEqual({ argv: ['sh', '-c', 'echo "a b" > $HOME/x', '*'] });
    expect(splitCommand(`a "b \\"c\\" d" e\\ f ''`)).toEqual({ argv: ['a', 'b "c" d', 'e f', ''] });
    expect(splitCommand(`sh -c 'x`)).toEqual({ error: 'a single quote is not closed' });
  });
  it('joinCommand round-trips', () => {
    for (const argv of [['bash', '-l'], ['sh', '-c', "it's a $test"], ['a b', '']]) expect(splitCommand(joinCommand(argv))).toEqual({ argv });
  });
});

describe('rule lines as the editor shows them', () => {
  const yaml = '# c\nname: a\nnetwork: on\nrules: |\n  deny exec ssh\n  ask net 127.0.0.1:*\n';
  it('maps the profile-file line to the rules-block line', () => {
    expect(rulesFirstLine(yaml)).toBe(5);
    expect(ruleLineLabel(yaml, 6, 'ask net 127.0.0.1:*')).toBe('rules line 2');
    expect(ruleLineLabel(yaml, 7, 'allow net 127.0.0.1:8080')).toBe('remembered answer');
    const ev = { id: 1, ts: '2026-01-01T00:00:00Z', agent: 'a', kind: 'net.allow', host: '127.0.0.1', port: 1, rule: 'ask net 127.0.0.1:*', line: 6 } as unknown as PaddockEvent;
    expect(decidingRule(ev, (_a, l, r) => ruleLineLabel(yaml, l, r))).toBe('ask net 127.0.0.1:* (rules line 2)');
  });
});

describe('a failed connection is not shown as a policy deny', () => {
  it('net.error reads as a failure with its cause, with no "default" deciding rule', () => {
    const ev = { id: 1, ts: '2026-01-01T00:00:00Z', agent: 'a', kind: 'net.error', host: 'nx.example', port: 443, error: 'DNS lookup failed (ENOTFOUND)' } as unknown as PaddockEvent;
    expect(summary(ev)).toBe('nx.example:443 — DNS lookup failed (ENOTFOUND) (not a rule decision)');
    expect(decidingRule(ev)).toBeNull();
  });
});

describe("Paddock's own bridge helpers", () => {
  const sock = '/run/paddock/net/proxy.sock';
  it('match only the exact argv of this run', () => {
    expect(isBridgeHelper(['/bin/sh', '-c', LAUNCHER_SH, 'paddock-bridge', '3128', sock, 'bash'], 3128, sock)).toBe(true);
    expect(isBridgeHelper(['socat', '-b', '262144', 'TCP-LISTEN:3128,bind=127.0.0.1,fork,reuseaddr', `UNIX-CONNECT:${sock}`], 3128, sock)).toBe(true);
    expect(isBridgeHelper(['grep', '-q', '0100007F:0C38 00000000:0000 0A', '/proc/net/tcp'], 3128, sock)).toBe(true);
    // The agent's own socat, or one pointed elsewhere, is the agent's.
    expect(isBridgeHelper(['socat', 'TCP-LISTEN:3128', `UNIX-CONNECT:${sock}`], 3128, sock)).toBe(false);
    expect(isBridgeHelper(['socat', '-b', '262144', 'TCP-LISTEN:4000,bind=127.0.0.1,fork,reuseaddr', `UNIX-CONNECT:${sock}`], 3128, sock)).toBe(false);
    expect(isBridgeHelper(['/bin/sh', '-c', 'echo hi', 'paddock-bridge', '3128', sock], 3128, sock)).toBe(false);
  });
});
