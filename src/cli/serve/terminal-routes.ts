import { AGENT_NAME_RE } from '../../shared/names.js';
import { PaddockError } from '../../shared/errors.js';
import { LOGIN_RECIPES } from '../../core/agents/login-recipes.js';
import type { Engine } from '../../core/engine.js';
import { makeAgentKey } from '../../core/terminal/index.js';

/** An answer of a terminal route: HTTP status and JSON body (`Result`-shaped). */
export interface RouteAnswer {
  status: number;
  body: unknown;
}

/**
 * The Terminal tab's HTTP routes (behind the console's token check like every /api/ call):
 * `GET /api/terminal/recipes` → the login recipes; `POST /api/terminal/keygen {"agent","force"}` →
 * `{ ok, value: { publicKey } }` (the key is made inside the agent's sandbox).
 * Returns null for any other path.
 */
export async function terminalRoute(engine: Engine, path: string, method: string, readBody: () => Promise<string | null>): Promise<RouteAnswer | null> {
  if (path === '/api/terminal/recipes') {
    if (method !== 'GET') return { status: 405, body: { ok: false, error: { code: 'E_USAGE', message: 'use GET /api/terminal/recipes' } } };
    return { status: 200, body: { ok: true, value: LOGIN_RECIPES } };
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
    const publicKey = await makeAgentKey(engine, input.agent, input.force === true);
    return { status: 200, body: { ok: true, value: { publicKey } } };
  } catch (e) {
    const err = e instanceof PaddockError ? { code: e.code, message: e.message } : { code: 'E_INTERNAL', message: (e as Error).message };
    return { status: err.code === 'E_NOT_FOUND' ? 404 : 409, body: { ok: false, error: err } };
  }
}
