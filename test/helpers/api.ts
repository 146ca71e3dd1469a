import { API } from '../../src/shared/api.js';
import type { Result } from '../../src/shared/errors.js';
import { createAdapter, type ApiHandlers, type MapHandlers } from '../../src/core/api/index.js';

/** One call through the one RPC adapter (what IPC, the console and the control socket do), over `handlers`. */
export function dispatch(handlers: ApiHandlers, channel: string, input: unknown): Promise<Result<unknown>> {
  return createAdapter(API, handlers as unknown as MapHandlers<typeof API, void>).call(channel, input);
}
