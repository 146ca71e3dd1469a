/**
 * The one RPC adapter: the zod API map served over Electron IPC, the console's HTTP/WebSocket and
 * the control socket alike, with one error envelope ({@link toEnvelopeError}).
 */
import { API } from '../../shared/api.js';
import type { Paddock } from '../commands/index.js';
import { createAdapter, type Adapter } from './adapter.js';
import { createApiHandlers, type ApiOptions } from './handlers.js';

export { createAdapter, parseInput, type Adapter, type CallMap, type MapHandlers } from './adapter.js';
export { toEnvelopeError, type EnvelopeError } from './envelope.js';
export { createApiHandlers, type ApiHandlers, type ApiOptions } from './handlers.js';
export { subscribeApiEvents } from './events.js';

/** The API map over the engine's verbs, for one surface (the app, the console, the CLI's control socket). */
export function apiAdapter(p: Paddock, opts: ApiOptions): Adapter<void> {
  return createAdapter(API, createApiHandlers(p, opts) as never);
}
