import { describe, expect, it } from 'vitest';
import { renderInstructions } from '../../../src/core/agents/instructions.js';
import { loadProfile, parseProfile } from '../../../src/core/agents/profile.js';

const ctx = { home: '/home/u' };

function render(text: string): string {
  const r = parseProfile(text, 'p.yaml', ctx);
  expect(r.diagnostics).toEqual([]);
  return renderInstructions(r.profile!, r.ruleSet!);
}

/** The text of a `## ` section, up to the next `## ` heading. */
function section(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(0);
  const next = md.indexOf('\n## ', start + 1);
  return md.slice(start, next < 0 ? undefined : next);
}

describe('PADDOCK.md for the PRODUCT.md example', () => {
  const r = loadProfile('test/fixtures/profiles/example.yaml', ctx);
  const md = renderInstructions(r.profile!, r.ruleSet!);
  const enforced = section(md, 'Enforced by Paddock');
  const advisory = section(md, 'Asked of you (advisory — not enforced)');

  it('has a title with the agent name, and the advisory section after the enforced one', () => {
    expect(md.split('\n')[0]).toBe('# Paddock rules for agent `researcher`');
    expect(md.indexOf('## Enforced by Paddock')).toBeLessThan(md.indexOf('## Asked of you (advisory — not enforced)'));
  });

  it('describes the enforced network, files, programs, secrets, approvals and limits', () => {
    expect(enforced).toContain('The network is **on**');
    expect(enforced).toContain('Allowed: `api.anthropic.com`, `*.githubusercontent.com`.');
    expect(enforced).toContain("Needs the user's approval at connection time (it waits, then fails if denied): `*`.");
    expect(enforced).toContain('Folder `/home/u/Documents/papers`: a copy — work on the copy at `/home/u/agents/researcher/papers`');
    expect(enforced).toContain('Hidden (these paths do not exist for you): `**/.env`.');
    expect(enforced).toContain('Not available in this sandbox: `ssh`.');
    expect(enforced).toContain('`OPENAI_KEY`: added by the proxy to your requests to `api.openai.com`. You never see it');
    expect(enforced).toContain('`GITHUB_TOKEN`: in the environment variable `GITHUB_TOKEN`.');
    expect(enforced).toContain('`KUBECONFIG`: in the file `~/.secrets/KUBECONFIG`.');
    expect(enforced).toMatch(/paddock-ask ACTION \[DETAIL\].*Exit code 0: approved.*Exit code 1: denied/);
    expect(enforced).toContain('Ask first: `send-email`.');
    expect(enforced).toContain('memory 2048 MiB, 256 processes at once, 1 CPU core.');
  });

  it('keeps do/dont lines out of the enforced section and in the advisory one', () => {
    expect(advisory).toContain('- **Do:** Keep all work inside the workspace');
    expect(advisory).toContain("- **Don't:** Never create accounts, apply for jobs or buy anything");
    expect(advisory).toContain('Nothing enforces them');
    expect(enforced).not.toContain('Keep all work inside the workspace');
    expect(enforced).not.toContain('Never create accounts');
  });

  it('is deterministic', () => {
    expect(renderInstructions(r.profile!, r.ruleSet!)).toBe(md);
  });
});

describe('PADDOCK.md variants', () => {
  it("names host.paddock.internal as the user's computer only when a rule opens it", () => {
    const on = render('name: a\nnetwork: on\nrules: |\n  allow net host.paddock.internal:11434\n');
    expect(on).toContain("The user's computer is `host.paddock.internal`");
    expect(on).toContain('these rules name (`host.paddock.internal:11434`)');
    expect(render('name: a\nnetwork: on\nrules: allow net x.com\n')).not.toContain('host.paddock.internal');
  });
  it('says the network is off and any other host is refused otherwise', () => {
    expect(render('name: a\n')).toContain('The network is **off**: no connection leaves the sandbox.');
    expect(render('name: a\nnetwork: on\nrules: allow net x.com\n')).toContain('- Any other host is refused.');
  });

  it('never contains anything but secret names and delivery (the profile has no values, and none are invented)', () => {
    const md = render('name: a\nsecrets:\n  - { name: TOKEN_A, as: env }\n');
    expect(md).toContain('`TOKEN_A`: in the environment variable `TOKEN_A`.');
    expect(md.match(/TOKEN_A/g)).toHaveLength(2);
  });

  it('keeps a do line with Markdown or backticks inside its list item', () => {
    const md = render('name: a\nrules: |\n  do "use `make` then ## report"\n  deny exec "a`b"\n');
    expect(md).toContain('- **Do:** use `make` then ## report');
    expect(md).toContain('Not available in this sandbox: `` a`b ``.');
    expect(md).not.toMatch(/^## report/m);
  });

  it('lists folders by access and the approval timeout', () => {
    const md = render('name: a\nfolders:\n  - { path: /data, access: ro }\n  - { path: /src, access: rw }\napprovals: { timeout: 15 }\n');
    expect(md).toContain('- Folder `/data`: read-only at `/data`.');
    expect(md).toContain('- Folder `/src`: read-write, changed in place at `/src`.');
    expect(md).toContain('15 seconds to answer');
    expect(md).toContain('- (none)');
  });
});

describe('PADDOCK.md explains the read-only git config (issue 16 item 6)', () => {
  it('says "Device or resource busy" is Paddock and names the rule the user can add', () => {
    const md = render('name: a\nfolders:\n  - { path: /home/u/src, access: rw }\n');
    expect(md).toContain('Device or resource busy');
    expect(md).toContain('`allow write REPO/.git/config`');
    expect(md).toMatch(/ask the user to add the rule/);
  });
  it('lists the repositories whose git config the user made writable', () => {
    const md = render('name: a\nfolders:\n  - { path: /home/u/src, access: rw }\nrules: |\n  allow write /home/u/src/app/.git/config\n');
    expect(md).toContain("Writable by the user's rule (you may change these repositories' git settings): `/home/u/src/app/.git/config`.");
  });
});
