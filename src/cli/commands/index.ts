import type { CommandEntry } from '../command.js';

// Each command's module is imported on first use (a `paddock ps` loads control.js only). Keep the
// imports here dynamic: a static one would load that command's dependencies for every command
// (test/cli/lazy-imports.test.ts checks that `--version` and `ps` load no engine module).

/** Every CLI command, in the order `paddock --help` lists them. */
export const COMMANDS: CommandEntry[] = [
  { name: 'check', summary: 'validate a profile and its rules; print the gap report', load: async () => (await import('./check.js')).checkCommand },
  {
    name: 'run',
    summary: "import/update the agent from PROFILE and run it in the foreground (exits with the agent's code)",
    load: async () => (await import('./run.js')).runCommand,
  },
  { name: 'ps', summary: 'running agents: name, run id, state, pids, CPU, memory, uptime', load: async () => (await import('./control.js')).psCommand },
  { name: 'pause', summary: 'freeze every process of the agent', load: async () => (await import('./control.js')).pauseCommand },
  { name: 'resume', summary: 'thaw every process of the agent', load: async () => (await import('./control.js')).resumeCommand },
  { name: 'stop', summary: 'stop the agent politely: SIGTERM, up to 10 s, then SIGKILL', load: async () => (await import('./control.js')).stopCommand },
  {
    name: 'kill',
    summary: 'kill every process of the agent at once (SIGKILL), or of all agents with --all',
    load: async () => (await import('./control.js')).killCommand,
  },
  { name: 'net', summary: "flip the agent's network switch, live", load: async () => (await import('./control.js')).netCommand },
  {
    name: 'learn',
    summary: 'learning mode: on|off, then --suggest / --apply the least-privilege rules it learned',
    load: async () => (await import('./learn.js')).learnCommand,
  },
  { name: 'approvals', summary: 'pending asks: id, agent, kind, target, detail, expiry', load: async () => (await import('./approvals.js')).approvalsCommand },
  { name: 'approve', summary: 'let a pending ask through (--always also adds an allow rule)', load: async () => (await import('./approvals.js')).approveCommand },
  { name: 'deny', summary: 'refuse a pending ask (--always also adds a deny rule)', load: async () => (await import('./approvals.js')).denyCommand },
  { name: 'events', summary: 'the activity log (--agent A, --kind PREFIX, --follow, --json)', load: async () => (await import('./events.js')).eventsCommand },
  { name: 'logs', summary: "a run's output (the latest run, or --run ID; --follow, --cast, --list)", load: async () => (await import('./logs.js')).logsCommand },
  {
    name: 'log',
    summary: 'log verify: check the hash chain of the activity log (exit 1 naming the first bad event)',
    load: async () => (await import('./events.js')).logCommand,
  },
  { name: 'quarantine', summary: 'what Paddock moved out of writable folders after a run (planted git settings, hooks); restore ID puts one back', load: async () => (await import('./quarantine.js')).quarantineCommand },
  {
    name: 'secret',
    summary: "the vault: set (value on stdin), list (names and metadata only) or remove an agent's secrets",
    load: async () => (await import('./secret.js')).secretCommand,
  },
  {
    name: 'doctor',
    summary: 'check the machine (bubblewrap, user namespaces, AppArmor, cgroups, keychain) and say how to fix what is missing',
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
  {
    name: 'serve',
    summary: 'run the engine headless with the web console on 127.0.0.1 (prints the URL with its token)',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  { name: 'shell', summary: "an interactive terminal inside the agent's sandbox (to set up its own logins)", load: async () => (await import('./shell.js')).shellCommand },
  {
    name: 'hook',
    summary: "hook install NAME claude-code: make Claude Code ask you (through Paddock) before each tool call",
    load: async () => (await import('./hook.js')).hookCommand,
  },
  { name: 'keygen', summary: "make an SSH key pair in the agent's home; print the public key", load: async () => (await import('./keygen.js')).keygenCommand },
];
