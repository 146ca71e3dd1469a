import { z } from 'zod';
import { CONTROL_MAP, type ControlMethod, type HOST_METHODS, type HostMethod } from '../../shared/control.js';

// The control socket's contract lives in src/shared/control.ts (the API map plus the host's own
// methods); the framing (lines, their limit) and the host's messages in core/client (zod-free, for
// the command line's clients: `paddock ps` loads no schema library).
export { clientMessageSchema, HOST_METHODS, STREAMING_METHODS, type ClientMessage } from '../../shared/control.js';
export { lineReader, MAX_LINE, type HostMessage } from '../client/index.js';

/** Every control-socket method and its parameter schema (the API map's channels and the host's methods). */
export const METHODS: Record<ControlMethod, z.ZodType> = Object.fromEntries(Object.entries(CONTROL_MAP).map(([k, v]) => [k, v.input as z.ZodType])) as Record<ControlMethod, z.ZodType>;
export type Method = ControlMethod;
/** Parameters of the host's own methods. */
export type Params<M extends HostMethod> = z.infer<(typeof HOST_METHODS)[M]['input']>;
