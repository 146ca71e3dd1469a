/**
 * The one RPC adapter: the zod API map served over Electron IPC, the console's HTTP/WebSocket and
 * the control socket alike, with one error envelope ({@link toEnvelopeError}).
 */
import { API } from '../../shared/api.js';
import type { Paddock } from '../commands/index.js';
import { createAdapter, type Adapter, type MapHandlers } from './adapter.js';
import { createApiHandlers, type ApiOptions } from './handlers.js';

export { createAdapter, parseInput, type Adapter, type CallMap, type MapHandlers } from './adapter.js';
export { toEnvelopeError, type EnvelopeError } from './envelope.js';
export { createApiHandlers, type ApiHandlers, type ApiOptions } from './handlers.js';
export { subscribeApiEvents } from './events.js';

/** The API map over the engine's verbs, for one surface (the app, the console, the CLI's control socket). */
export function apiAdapter(p: Paddock, opts: ApiOptions): Adapter<void> {
  // The handlers are typed by the map's input types (what the renderer sends); the adapter hands them the
  // parsed values, which for this map are the same shapes (no transforms in src/shared/api.ts).
  return createAdapter(API, createApiHandlers(p, opts) as unknown as MapHandlers<typeof API, void>);
}
