/**
 * The instruction file (`PADDOCK.md`) written into the workspace at every start: what the
 * sandbox enforces, in plain language, kept apart from the advisory do/dont lines.
 */
import { HOST_INTERNAL } from '../policy/index.js';
import type { Profile } from '../../shared/profile.schema.js';
import type { Effect, Rule, RuleKind, RuleSet } from '../../shared/rules.schema.js';
import { GIT_CONFIG_HINT, namesOneGitConfig, PROTECTED_BY_DEFAULT } from './gap-files.js';

/** Inline code that survives backticks in the text. */
function code(s: string): string {
  const flat = oneLine(s);
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${flat} ${fence}` : `${fence}${flat}${fence}`;
}

/** Collapses line breaks and control characters, so user text cannot start new Markdown blocks. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function pick(rs: RuleSet, kind: RuleKind, effect: Effect): Rule[] {
  return rs.rules.filter((r) => r.kind === kind && r.effect === effect);
}

function list(rules: readonly Rule[]): string {
  return rules.map((r) => code(r.pattern)).join(', ');
}

function networkSection(p: Profile, rs: RuleSet): string[] {
  const out = ['### Network', ''];
  if (p.network === 'off') {
    out.push('- The network is **off**: no connection leaves the sandbox. Asking for approval (below) still works.');
    return out;
  }
  out.push('- The network is **on**, only through Paddock\'s proxy (`HTTP_PROXY` / `HTTPS_PROXY` are set). Anything that ignores the proxy has no route.');
  out.push('- A host pattern without a port covers ports 80 and 443 only; private, loopback and link-local addresses are reachable only when a rule names them.');
  const allow = pick(rs, 'net', 'allow');
  const ask = pick(rs, 'net', 'ask');
  const deny = pick(rs, 'net', 'deny');
  if (allow.length) out.push(`- Allowed: ${list(allow)}.`);
  if (ask.length) out.push(`- Needs the user's approval at connection time (it waits, then fails if denied): ${list(ask)}.`);
  if (deny.length) out.push(`- Always refused: ${list(deny)}.`);
  const universal = [...allow, ...ask].some((r) => r.pattern === '*' || r.pattern.startsWith('*:'));
  if (!universal) out.push('- Any other host is refused.');
  const hostRules = [...allow, ...ask].filter((r) => /^host\.paddock\.internal\.?(:|$)/i.test(r.pattern));
  if (hostRules.length) {
    out.push(
      `- The user's computer is ${code(HOST_INTERNAL)} (like \`host.docker.internal\` in Docker): reach its services at the ports these rules name (${list(hostRules)}), e.g. ${code(`http://${HOST_INTERNAL}:PORT/`)}, through the proxy. Inside the sandbox \`localhost\` is your own machine, not the user's.`,
    );
  }
  out.push('- A refused or denied connection is logged; do not try other routes to the same host.');
  return out;
}

function filesSection(p: Profile, rs: RuleSet): string[] {
  const out = ['### Files', ''];
  out.push(`- Your workspace (current directory): ${p.workspace ? code(p.workspace) : 'the folder you start in'}, read-write. \`$HOME\` is a private home that belongs to this agent only.`);
  out.push('- The rest of the user\'s files, other agents and Paddock itself are not visible.');
  const access = { ro: 'read-only', rw: 'read-write, changed in place', copy: 'a copy' };
  for (const f of p.folders) {
    const base = f.path.split('/').filter(Boolean).pop() ?? '';
    const where = f.access === 'copy' ? ` — work on the copy at ${code(`${p.workspace ?? '<workspace>'}/${base}`)}; the user reviews the changes before exporting them` : ` at ${code(f.path)}`;
    out.push(`- Folder ${code(f.path)}: ${access[f.access]}${where}.`);
  }
  const rules: [Rule[], string][] = [
    [pick(rs, 'read', 'deny'), 'Hidden (these paths do not exist for you)'],
    [pick(rs, 'write', 'deny'), 'Read-only'],
    [pick(rs, 'read', 'allow'), 'Also readable'],
    [pick(rs, 'write', 'allow'), 'Also writable'],
  ];
  for (const [rl, label] of rules) if (rl.length) out.push(`- ${label}: ${list(rl)}.`);
  out.push(`- Kept read-only in writable places (the workspace and read-write folders): ${PROTECTED_BY_DEFAULT.join(', ')}.`);
  const gitConfigs = pick(rs, 'write', 'allow').filter((r) => namesOneGitConfig(r.pattern));
  if (gitConfigs.length) out.push(`- Writable by the user's rule (you may change these repositories' git settings): ${list(gitConfigs)}.`);
  out.push(`- ${GIT_CONFIG_HINT.replace("To let the agent change one repository's git settings, add the rule", "Do not work around it (no copies of the repository, no `GIT_CONFIG` tricks); if the task needs it, ask the user to add the rule, naming the repository. The rule that lets you change one repository's git settings is")}.`);
  return out;
}

function programsAndSecrets(p: Profile, rs: RuleSet): string[] {
  const out: string[] = [];
  const noExec = pick(rs, 'exec', 'deny');
  if (noExec.length) out.push('### Programs', '', `- Not available in this sandbox: ${list(noExec)}.`, '');
  out.push('### Secrets', '');
  if (p.secrets.length === 0) out.push('- No secrets are provided.');
  for (const s of p.secrets) {
    if (s.as === 'env') out.push(`- ${code(s.name)}: in the environment variable ${code(s.name)}.`);
    else if (s.as === 'file') out.push(`- ${code(s.name)}: in the file ${code(`~/.secrets/${s.name}`)}.`);
    else out.push(`- ${code(s.name)}: added by the proxy to your requests to ${(s.hosts ?? []).map(code).join(', ')}. You never see it: send those requests without credentials.`);
  }
  const gated = [...pick(rs, 'secret', 'deny'), ...pick(rs, 'secret', 'ask')];
  if (gated.length) out.push(`- Withheld or given only with the user's approval: ${list(gated)}.`);
  return out;
}

function approvalsSection(p: Profile, rs: RuleSet): string[] {
  const out = ['### Actions and approvals', ''];
  out.push('- Before an action that needs approval, run `paddock-ask ACTION [DETAIL]` (e.g. `paddock-ask send-email "weekly report to alice@example.com"`). Exit code 0: approved, go ahead. Exit code 1: denied, do not do it and do not try another way.');
  out.push(`- The user has ${p.approvals.timeout} seconds to answer; no answer counts as denied.`);
  const ask = pick(rs, 'action', 'ask');
  const deny = pick(rs, 'action', 'deny');
  const allow = pick(rs, 'action', 'allow');
  if (ask.length) out.push(`- Ask first: ${list(ask)}.`);
  if (deny.length) out.push(`- Always refused: ${list(deny)}.`);
  if (allow.length) out.push(`- Allowed without asking: ${list(allow)}.`);
  out.push('- Any other action you declare is asked.');
  return out;
}

function limitsSection(p: Profile): string[] {
  const { memory, processes, cpu } = p.limits;
  const items = [
    memory !== null ? `memory ${Math.round((memory / 1024 ** 2) * 10) / 10} MiB` : null,
    processes !== null ? `${processes} processes at once` : null,
    cpu !== null ? `${cpu} CPU core${cpu === 1 ? '' : 's'}` : null,
  ].filter((x): x is string => x !== null);
  return ['### Limits', '', items.length ? `- ${items.join(', ')}.` : '- Paddock\'s default limits apply.'];
}

/**
 * Renders `PADDOCK.md` for an agent: a title, an "Enforced by Paddock" section (sandbox, network,
 * files, programs, secrets by name and delivery — never values —, approvals, limits) and a separate
 * "Asked of you (advisory — not enforced)" section with the do/dont lines. Deterministic.
 */
export function renderInstructions(profile: Profile, ruleSet: RuleSet): string {
  const out = [
    `# Paddock rules for agent ${code(profile.name)}`,
    '',
    'You are running inside a Paddock sandbox. Paddock rewrites this file at every start; changes to it are lost.',
    '',
    '## Enforced by Paddock',
    '',
    'The operating system and Paddock\'s network proxy enforce everything in this section. Attempts to get around it fail and are recorded in the activity log the user reads.',
    '',
    ...networkSection(profile, ruleSet),
    '',
    ...filesSection(profile, ruleSet),
    '',
    ...programsAndSecrets(profile, ruleSet),
    '',
    ...approvalsSection(profile, ruleSet),
    '',
    ...limitsSection(profile),
    '',
    '## Asked of you (advisory — not enforced)',
    '',
    'The user asks you to follow these. Nothing enforces them: they rely on you.',
    '',
  ];
  const adv = ruleSet.advisories;
  if (adv.length === 0) out.push('- (none)');
  for (const a of adv) out.push(`- ${a.type === 'do' ? '**Do:**' : '**Don\'t:**'} ${oneLine(a.text)}`);
  out.push('');
  return out.join('\n');
}
