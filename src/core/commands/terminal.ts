import { LOGIN_RECIPES } from '../agents/login-recipes.js';
import type { GuestOutput } from '../agents/claude-hook.js';
import type { Engine } from '../engine.js';
import { makeAgentKey, openTerminal, runInSandbox, TerminalSessions, type OpenTerminalOptions, type TerminalSession } from '../terminal/index.js';

/** The terminal verbs: sessions in an agent's sandbox, its SSH key, and one-off commands inside. */
export function terminalVerbs(engine: Engine) {
  return {
    /** A registry of terminal sessions for one host (the app's terminal IPC, the console's terminal socket). */
    terminalSessions: (opts: { userShell?: string }): TerminalSessions => new TerminalSessions(engine, opts),
    openTerminal: (agent: string, o?: OpenTerminalOptions): Promise<TerminalSession> => openTerminal(engine, agent, o),
    /** Makes the agent's SSH key inside its sandbox; returns the public key line. */
    makeAgentKey: (agent: string, force: boolean): Promise<string> => makeAgentKey(engine, agent, force),
    /** Runs a command inside the agent's sandbox and collects its output (`paddock hook`). */
    runInSandbox: (agent: string, command: string[]): Promise<GuestOutput> => runInSandbox(engine, agent, command),
    loginRecipes: () => LOGIN_RECIPES,
  };
}
