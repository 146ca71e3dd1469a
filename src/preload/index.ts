import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, TerminalPush } from '../shared/api.js';
import type { Result } from '../shared/errors.js';
import { CHANNELS, EVENT_CHANNEL, TERMINAL_CHANNELS, TERMINAL_PUSH_CHANNEL, type EventMessage } from '../main/ipc/channels.js';

/** An API error as the renderer sees it: the engine's code and its sentence. */
class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One invoke per channel, unwrapping the envelope (errors become ApiError). */
function invoker(channel: string): (input: unknown) => Promise<unknown> {
  return async (input) => {
    const r = (await ipcRenderer.invoke(channel, input)) as Result<unknown>;
    if (!r.ok) throw new ApiError(r.error.code, r.error.message);
    return r.value;
  };
}

const api: Record<string, unknown> = {};
for (const channel of CHANNELS) api[channel] = invoker(channel);
const listeners = new Map<ApiEvent, Set<(p: unknown) => void>>();
ipcRenderer.on(EVENT_CHANNEL, (_e: IpcRendererEvent, msg: EventMessage) => listeners.get(msg.event)?.forEach((l) => l(msg.payload)));
api.on = (event: ApiEvent, listener: (p: unknown) => void): (() => void) => {
  let set = listeners.get(event);
  if (!set) listeners.set(event, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
};

// The desktop terminal: its own channels and its own push channel (output of our sessions only).
const terminal: Record<string, unknown> = {};
for (const channel of TERMINAL_CHANNELS) terminal[channel] = invoker(channel);
const pushListeners = new Set<(p: TerminalPush) => void>();
ipcRenderer.on(TERMINAL_PUSH_CHANNEL, (_e: IpcRendererEvent, p: TerminalPush) => pushListeners.forEach((l) => l(p)));
terminal.onPush = (listener: (p: TerminalPush) => void): (() => void) => {
  pushListeners.add(listener);
  return () => pushListeners.delete(listener);
};
api.terminal = Object.freeze(terminal);

// One namespaced object built from the API map; never ipcRenderer itself (the page must not reach arbitrary channels).
contextBridge.exposeInMainWorld('paddock', Object.freeze(api));
