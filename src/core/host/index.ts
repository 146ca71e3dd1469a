/** The host of a data dir: its lock, its control socket (the API map plus the host's own methods) and the runs it supervises. */
export { startHost, type Host } from './host.js';
export { listenControl, type Handlers, type RequestContext } from './control-server.js';
