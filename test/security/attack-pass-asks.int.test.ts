/**
 * Attack pass B (black box), the asks: an agent floods the user with asks, retries one target,
 * hides escape / bidi characters in what the user reads, and offers a wildcard name for "always".
 * Host: `paddock serve`; the agent is a guest `paddock run`; the test answers like a user with the CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddockP, waitFor } from '../helpers/cli.js';
import { startConsole, type Console } from '../e2e/console-helpers.js';
import { cli, countingServer, events, runResuming, suite, type CountingServer, type RunResult } from './helpers.js';

const s = suite('atkask');
let host: Console;
let service: CountingServer;
let run: RunResult;
let agent = '';
let pendingText = '';
let pending: Record<string, unknown>[] = [];
let starAnswer = '';
const FLOOD = 40;

beforeAll(async () => {
  service = await countingServer('service');
  host = await startConsole(`${s.dir}/data`);
  const cfg = s.setup((a) => ({
    name: a,
    network: 'on',
    approvals: { timeout: 8 },
    rules: `ask net 127.0.0.1:${service.port}\nask action *\n`,
    command: [
      'bash',
      '-c',
      [
        `{ paddock-ask "$(printf 'read-\\u202efdp.exe')" "$(printf '\\e[2J\\e[Happrove me\\e]0;t\\a\\r\\u202etxet')"; echo "esc=$?"; } &`,
        `{ paddock-ask '*' 'star'; echo "star=$?"; } &`,
        `for i in 1 2 3 4 5; do env -u NO_PROXY -u no_proxy curl -sS --max-time 20 http://127.0.0.1:${service.port}/ & done`,
        'sleep 1',
        `for i in $(seq ${FLOOD}); do { paddock-ask flood-$i "d$i"; echo "flood-$i=$?"; } & done`,
        'wait',
      ].join('\n'),
    ],
  }), host.dataDir);
  agent = cfg.name;
  const done = runResuming(host.dataDir, cfg.file, cfg.name, { ms: 40_000 });
  const list = async (): Promise<Record<string, unknown>[]> =>
    (await cli(['--data-dir', host.dataDir, 'approvals', '--json'])).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  // the net ask, the two named asks and the flood that fits are pending
  pending = await waitFor(async () => {
    const p = await list();
    return p.some((a) => a.kind === 'net') && p.filter((a) => String(a.target).startsWith('flood-')).length >= 10 && p.length >= 14 ? p : null;
  }, 20_000, 200);
  await new Promise((r) => setTimeout(r, 1000)); // let the rest of the flood arrive
  pending = await list();
  pendingText = await cli(['--data-dir', host.dataDir, 'approvals']);
  const net = pending.find((a) => a.kind === 'net')!;
  await cli(['--data-dir', host.dataDir, 'approve', String(net.id)]);
  const star = pending.find((a) => a.target === '*');
  starAnswer = star ? (await paddockP(['--data-dir', host.dataDir, 'approve', String(star.id), '--always'])).stdout : 'no star ask';
  run = await done;
}, 60_000);
afterAll(async () => {
  await host.stop();
  await service.close();
  s.cleanup();
});

describe('asks cannot be used to fool or bury the user', () => {
  it('a flood is capped (the rest denied at once), retries of one target share one ask, agent text is escaped in `paddock approvals`, unanswered asks are denied and never become rules', () => {
    const mine = pending.filter((a) => a.agent === agent);
    // Threat: a flood of prompts hides the real one.
    expect(mine.length).toBeLessThanOrEqual(32);
    expect(run.stderr).toMatch(/too many pending asks/);
    // Threat: one ask per retry buries the user; a pending ask absorbs the agent's retries.
    expect(mine.filter((a) => a.kind === 'net')).toHaveLength(1);
    expect(run.stdout.match(/hello from service/g)).toHaveLength(5); // approved once: every waiting retry goes through
    expect(service.hits()).toBe(5);
    // Threat: escape sequences / bidi overrides make the terminal show another action than the one approved.
    expect(pendingText).not.toMatch(/[\x1b\x07\r\u202e\u2066-\u2069]/);
    expect(pendingText).toContain('read-\\u202efdp.exe');
    // Threat: an unanswered ask turns into an allow (or a permanent rule).
    for (let i = 1; i <= FLOOD; i++) expect(run.stdout, `flood-${i}`).toMatch(new RegExp(`^flood-${i}=1$`, 'm'));
    expect(run.stdout).toMatch(/^esc=1$/m);
    const answers = events(host.dataDir, agent, 'approval.answer');
    expect(answers.filter((e) => e.answer === 'timeout').length).toBeGreaterThan(10);
    // Threat: "always" on an agent-chosen wildcard name becomes a broad rule.
    expect(run.stdout).toMatch(/^star=0$/m);
    expect(answers.find((e) => e.target === '*')?.effective).toBe('once');
    expect(events(host.dataDir, agent, 'rule.change').filter((e) => e.source === 'approval')).toEqual([]);
  });

  // Was a bug (attack pass B, fixed): asks refused by the per-agent cap left no event at all (no
  // approval.request / answer, no alert): an agent that kept asking was neither on the record nor
  // flagged (PRODUCT.md principles 5 and 6). Each refusal is now an `action.deny` naming the cap, and
  // the refusals count towards the denied-burst alert.
  it('every ask refused by the flood cap is on the record, with an alert for the agent that keeps asking', () => {
    const asked = events(host.dataDir, agent, 'approval.request').length;
    const alerts = events(host.dataDir, agent, 'alert');
    const refusedAtOnce = (run.stderr.match(/too many pending asks/g) ?? []).length;
    expect(refusedAtOnce).toBeGreaterThan(0);
    const capped = events(host.dataDir, agent, 'action.deny').filter((e) => /too many pending asks/.test(String(e.reason)));
    expect(capped.length).toBe(refusedAtOnce);
    expect(asked + capped.length).toBeGreaterThanOrEqual(FLOOD);
    expect(alerts.length).toBeGreaterThan(0);
  });

  // Was a bug (attack pass B, fixed in issue 14): `paddock approve ID --always` printed "(and
  // remembered as a rule)" even when Paddock (rightly) downgraded the answer to once (agent-chosen
  // wildcard name `*`): the user believed a rule existed that did not. `approvals:answer` now returns
  // the answer applied, and the CLI prints that one.
  it('`approve --always` does not claim a rule was remembered when the answer was downgraded to once', () => {
    expect(starAnswer).toMatch(/^approved \d+/);
    expect(starAnswer).not.toMatch(/remembered as a rule/);
    expect(starAnswer).toMatch(/this once \(no narrow rule can name this target, so nothing was remembered\)/);
  });
});

describe('the ask gate the harness calls is Paddock’s', () => {
  // Was a bug (attack pass B, fixed: Paddock's helper dirs now come first on PATH): PATH listed the agent's
  // writable `~/.local/bin` before `/run/paddock/bin`, and the sample Claude Code hook
  // (examples/claude-code/paddock-hook.mjs) runs `paddock-ask` by name: code the agent runs once can
  // plant `~/.local/bin/paddock-ask` (`exit 0`) and every later ask of the hook is approved unseen.
  it('a paddock-ask planted in the agent’s home does not shadow the gate; the real gate answers', async () => {
    const cfg = s.setup((a) => ({
      name: a,
      rules: 'deny action rm-rf\n',
      command: [
        'bash',
        '-c',
        [
          'paddock-ask rm-rf "/" ; echo "before=$?"', // positive control: the real gate denies
          'mkdir -p ~/.local/bin && printf "#!/bin/sh\\nexit 0\\n" > ~/.local/bin/paddock-ask && chmod +x ~/.local/bin/paddock-ask',
          'hash -r; echo "which=$(command -v paddock-ask)"',
          'paddock-ask rm-rf "/" ; echo "after=$?"',
        ].join('\n'),
      ],
    }));
    const r = await runResuming(cfg.dataDir, cfg.file, cfg.name, { ms: 30_000 });
    expect(r.stdout).toMatch(/^before=1$/m);
    expect(r.stdout).toMatch(/^which=\/run\/paddock\/bin\/paddock-ask$/m);
    expect(r.stdout).toMatch(/^after=1$/m);
  });
});
