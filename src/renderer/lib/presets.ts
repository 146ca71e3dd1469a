/** A starting profile for a well-known agent. The user edits it before (or after) saving. */
export interface Preset {
  id: string;
  label: string;
  blurb: string;
  yaml: (name: string) => string;
  /** The harness hook this preset can install ("Ask me before tool calls"): `agents:installHook`. */
  hook?: 'claude-code';
}

const common = `  deny  read **/.env
  deny  read **/*.pem
  deny  exec ssh
  deny  exec scp
  ask   action send-email
  ask   action purchase
  do    "Keep all work inside the workspace"
  dont  "Never create accounts, apply for jobs or buy anything"`;

/** Inside the sandbox the user's computer is host.paddock.internal (localhost is the sandbox itself). */
const LOCAL_HINT = `  # A model server or gateway on this computer is host.paddock.internal inside the sandbox,
  # e.g. Ollama: allow net host.paddock.internal:11434`;

/**
 * Claude Code's and Codex's telemetry, update checks and error reports are off by default in their
 * presets (they would otherwise raise asks, or leak usage to hosts the user never allowed). Delete
 * the marked part of the command to turn them back on.
 */
const QUIET: Record<string, { command: string; note: string }> = {
  claude: {
    command: 'env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1, claude',
    note: '# CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1: no telemetry, update checks or error reports (delete it to turn them back on)',
  },
  codex: {
    command: 'codex, -c, analytics.enabled=false',
    note: '# -c analytics.enabled=false: no usage analytics (delete it to turn them back on)',
  },
};

function llm(command: string, hosts: string[], extra: string[] = []): (name: string) => string {
  const quiet = QUIET[command];
  return (name) => `name: ${name}
${quiet ? `${quiet.note}\n` : ''}command: [${quiet ? quiet.command : command}]
network: on
rules: |
${[...hosts.map((h) => `  allow net ${h}`), ...extra].join('\n')}
  ask   net *
${LOCAL_HINT}
${common}
limits: { memory: 2GiB, processes: 256, cpu: 1.0 }
`;
}

/** The presets of the "New agent" dialog. */
export const PRESETS: Preset[] = [
  { id: 'claude-code', label: 'Claude Code', blurb: "Anthropic's coding agent; talks to api.anthropic.com.", yaml: llm('claude', ['api.anthropic.com']), hook: 'claude-code' },
  { id: 'codex', label: 'Codex CLI', blurb: "OpenAI's coding agent; talks to api.openai.com.", yaml: llm('codex', ['api.openai.com', 'chatgpt.com', 'auth.openai.com']) },
  { id: 'openclaw', label: 'OpenClaw', blurb: 'A personal assistant agent; every new host is asked.', yaml: llm('openclaw', ['api.anthropic.com', 'api.openai.com']) },
  { id: 'aider', label: 'Aider', blurb: 'Pair programming in the terminal.', yaml: llm('aider', ['api.openai.com', 'api.anthropic.com', 'openrouter.ai']) },
  { id: 'goose', label: 'Goose', blurb: "Block's open agent.", yaml: llm('goose', ['api.openai.com', 'api.anthropic.com']) },
  {
    id: 'local-models',
    label: 'Local models (Ollama)',
    blurb: 'Aider with a model served by Ollama on this computer (host.paddock.internal:11434 inside).',
    yaml: llm('bash, -lc, "OLLAMA_API_BASE=http://host.paddock.internal:11434 aider --model ollama_chat/llama3.2"', [], ['  allow net host.paddock.internal:11434']),
  },
  {
    id: 'shell',
    label: 'Plain shell',
    blurb: 'A contained bash with no network: for scripts and trying things out.',
    yaml: (name) => `name: ${name}
command: [bash, -l]
network: off
rules: |
${common}
limits: { memory: 1GiB, processes: 128, cpu: 1.0 }
`,
  },
  { id: 'scratch', label: 'From scratch', blurb: 'Only a name: no network, no folders, no rules yet.', yaml: (name) => `name: ${name}\n` },
];
