import { AGENT_NAME_RE } from '../../shared/names.js';
import { toEnvelopeError } from '../../core/api/index.js';
import type { Paddock, TerminalSessions } from '../../core/commands/index.js';
import { SESSION_ID_RE } from './terminal-socket.js';

/** An answer of a terminal route: HTTP status and JSON body (`Result`-shaped). */
export interface RouteAnswer {
  status: number;
  body: unknown;
}

const usage = (message: string): RouteAnswer => ({ status: 405, body: { ok: false, error: { code: 'E_USAGE', message } } });
const invalid = (message: string): RouteAnswer => ({ status: 400, body: { ok: false, error: { code: 'E_INVALID_INPUT', message } } });

/** Parses a JSON object body; null when it is not one. */
function parseObject(text: string | null): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text ?? '') as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The Terminal tab's HTTP routes (behind the console's token check like every /api/ call):
 * `GET /api/terminal/recipes` → the login recipes; `POST /api/terminal/keygen {"agent","force"}` →
 * `{ ok, value: { publicKey } }` (the key is made inside the agent's sandbox);
 * `GET /api/terminal/sessions[?agent=NAME]` → the running sessions (to reattach after a reload);
 * `POST /api/terminal/end {"session": ID}` → ends a session (its run is killed).
 * Returns null for any other path.
 */
export async function terminalRoute(p: Paddock, sessions: TerminalSessions, url: string, method: string, readBody: () => Promise<string | null>): Promise<RouteAnswer | null> {
  const u = new URL(url, 'http://127.0.0.1');
  const path = u.pathname;
  if (path === '/api/terminal/sessions') {
    if (method !== 'GET') return usage('use GET /api/terminal/sessions?agent=NAME');
    const agent = u.searchParams.get('agent');
    if (agent !== null && !AGENT_NAME_RE.test(agent)) return invalid('agent= must be an agent name');
    return { status: 200, body: { ok: true, value: sessions.list(agent ?? undefined) } };
  }
  if (path === '/api/terminal/end') {
    if (method !== 'POST') return usage('use POST /api/terminal/end with {"session": ID}');
    const input = parseObject(await readBody());
    if (!input || typeof input.session !== 'string' || !SESSION_ID_RE.test(input.session)) return invalid('send {"session": ID} (an id from GET /api/terminal/sessions)');
    await sessions.end(input.session, 'you ended the session');
    return { status: 200, body: { ok: true, value: null } };
  }
  if (path === '/api/terminal/recipes') {
    if (method !== 'GET') return { status: 405, body: { ok: false, error: { code: 'E_USAGE', message: 'use GET /api/terminal/recipes' } } };
    return { status: 200, body: { ok: true, value: p.loginRecipes() } };
  }
  if (path !== '/api/terminal/keygen') return null;
  if (method !== 'POST') return { status: 405, body: { ok: false, error: { code: 'E_USAGE', message: 'use POST /api/terminal/keygen with {"agent": NAME}' } } };
  const text = await readBody();
  let input: { agent?: unknown; force?: unknown } = {};
  try {
    input = JSON.parse(text ?? '') as typeof input;
  } catch {
    /* checked below */
  }
  if (typeof input !== 'object' || input === null || typeof input.agent !== 'string' || !AGENT_NAME_RE.test(input.agent))
    return { status: 400, body: { ok: false, error: { code: 'E_INVALID_INPUT', message: 'send {"agent": NAME, "force": false}' } } };
  try {
    const publicKey = await p.makeAgentKey(input.agent, input.force === true);
    return { status: 200, body: { ok: true, value: { publicKey } } };
  } catch (e) {
    const err = toEnvelopeError(e);
    return { status: err.code === 'E_NOT_FOUND' ? 404 : 409, body: { ok: false, error: err } };
  }
}
