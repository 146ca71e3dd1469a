/**
 * "Sign this agent in" recipes: what to run in `paddock shell NAME` for each preset, and which
 * hosts the login flow needs (suggested as rules). Shown in `paddock shell --help` and in the
 * app's Terminal tab. Pure data: no I/O.
 */

/** How a login flow reaches the user. */
export type LoginFlow =
  /** The tool prints a code and a URL; the user opens the URL on the host (no browser needed inside). */
  | 'device-code'
  /** The tool prints a URL to open in the host's browser, then the user pastes a code back. */
  | 'browser-url'
  /** An API key, best kept in Paddock's vault (delivered as a header: the agent never sees it). */
  | 'api-key'
  /** An SSH key made for this agent (`paddock keygen`), registered with the service by the user. */
  | 'ssh-key';

/** One preset's login recipe. */
export interface LoginRecipe {
  /** Matches the preset ids of the "New agent" dialog (`claude-code`, `codex`, …). */
  id: string;
  label: string;
  flow: LoginFlow;
  /** Commands to type in `paddock shell NAME`, in order. */
  commands: string[];
  /** Rules the login flow needs (add them before signing in; `paddock net NAME on` as well). */
  rules: string[];
  /** What the user should expect and do. */
  notes: string;
}

/** Every recipe, in the order the presets are listed. */
export const LOGIN_RECIPES: readonly LoginRecipe[] = [
  {
    id: 'claude-code',
    label: 'Claude Code',
    flow: 'browser-url',
    commands: ['claude', '/login'],
    rules: ['allow net api.anthropic.com', 'allow net console.anthropic.com', 'allow net claude.ai'],
    notes: 'Claude Code prints a sign-in URL: open it in your browser on the host, sign in, and paste the code it shows back into the terminal. The login lands in the agent home (~/.claude). Run `claude doctor` here too (it needs a terminal: without one it waits forever), not as the agent\'s command. `paddock hook install NAME claude-code` makes Claude Code ask you (through Paddock) before each tool call and turns its telemetry off. To use a gateway on your computer instead, add allow net host.paddock.internal:PORT and set ANTHROPIC_BASE_URL=http://host.paddock.internal:PORT (inside the sandbox localhost is the sandbox itself).',
  },
  {
    id: 'codex',
    label: 'Codex CLI',
    flow: 'device-code',
    commands: ['codex login --device-auth'],
    rules: ['allow net auth.openai.com', 'allow net api.openai.com', 'allow net chatgpt.com'],
    notes: 'Codex prints a URL and a one-time code: open the URL on the host and enter the code. (Plain `codex login` waits for a browser callback on localhost inside the sandbox, which your browser cannot reach.) With an API key instead: paddock secret set NAME OPENAI_API_KEY and declare it in the profile.',
  },
  {
    id: 'openclaw',
    label: 'OpenClaw',
    flow: 'api-key',
    commands: ['openclaw onboard'],
    rules: ['allow net api.anthropic.com', 'allow net api.openai.com'],
    notes: "Run the onboarding wizard and choose API-key authentication for your model provider. Keep the key in Paddock's vault (paddock secret set NAME ANTHROPIC_API_KEY) rather than in the agent's own config.",
  },
  {
    id: 'aider',
    label: 'Aider',
    flow: 'api-key',
    commands: ['aider --version', 'git config --global user.name "NAME (agent)"', 'git config --global user.email "NAME@agents.invalid"'],
    rules: ['allow net api.openai.com', 'allow net api.anthropic.com', 'allow net openrouter.ai'],
    notes: "Aider reads API keys from the environment: store them with paddock secret set NAME OPENAI_API_KEY (or ANTHROPIC_API_KEY) and declare them in the profile (as: header keeps them out of the agent's reach). Give the agent its own git identity so its commits are recognisable. Local models: Ollama on your computer is host.paddock.internal:11434 inside the sandbox (add allow net host.paddock.internal:11434 and set OLLAMA_API_BASE=http://host.paddock.internal:11434).",
  },
  {
    id: 'goose',
    label: 'Goose',
    flow: 'api-key',
    commands: ['goose configure'],
    rules: ['allow net api.openai.com', 'allow net api.anthropic.com'],
    notes: 'Pick your provider in `goose configure` and give it an API key (better: declare it as a Paddock secret). The configuration lands in the agent home (~/.config/goose).',
  },
  {
    id: 'github-cli',
    label: 'GitHub CLI',
    flow: 'device-code',
    commands: ['gh auth login --hostname github.com --git-protocol https --web', 'gh auth setup-git'],
    rules: ['allow net github.com', 'allow net api.github.com'],
    notes: 'gh prints a one-time code and https://github.com/login/device: open that page on the host, enter the code and approve. Use a GitHub account (or a fine-grained token) made for this agent, not your own.',
  },
  {
    id: 'git-ssh',
    label: 'git over SSH (per-agent key)',
    flow: 'ssh-key',
    commands: ['paddock keygen NAME   # on the host: prints the public key', 'ssh -T git@github.com   # inside: accept the host key once'],
    rules: ['allow net github.com:22'],
    notes: "Register the printed public key as a deploy key (or on the agent's own account) with the service. The key lives in the agent home only; your own ~/.ssh and SSH agent are never visible inside. A `deny exec ssh` rule blocks this recipe.",
  },
];

/** The recipe for a preset id, if any. */
export function loginRecipe(id: string): LoginRecipe | undefined {
  return LOGIN_RECIPES.find((r) => r.id === id);
}

/** The recipes as plain text (for `paddock shell --help`). */
export function formatLoginRecipes(recipes: readonly LoginRecipe[] = LOGIN_RECIPES): string {
  return recipes
    .map((r) => {
      const lines = [`${r.label} (${r.flow}):`];
      for (const c of r.commands) lines.push(`    $ ${c}`);
      lines.push('    rules to add:', ...r.rules.map((rule) => `      ${rule}`));
      lines.push(...wrap(r.notes, 96).map((l) => `    ${l}`));
      return lines.join('\n');
    })
    .join('\n\n');
}

/** Breaks text into lines of at most `width` characters at spaces. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
