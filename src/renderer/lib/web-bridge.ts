import { API, API_EVENTS, type ApiEvent, type PaddockApi } from '../../shared/api.js';
import { ApiError } from './api-error.js';

const TOKEN_KEY = 'paddock.console.token';

/** Takes the console token from `#token=…` once, then removes it from the URL bar (and history). */
export function takeToken(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (m) {
    // Threat: the token lingering in the URL bar, history, screenshots or a shared link.
    history.replaceState(null, '', location.pathname + location.search);
    sessionStorage.setItem(TOKEN_KEY, m[1]!);
    return m[1]!;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/** The typed API over the web console: POST /api/<channel> and the /api/ws event socket. */
export function createWebBridge(token: string): PaddockApi {
  const listeners = new Map<ApiEvent, Set<(p: unknown) => void>>();
  let socket: WebSocket | null = null;
  let retry = 500;
  const connect = (): void => {
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    // Browsers cannot set Authorization on a WebSocket: the token rides in a subprotocol.
    socket = new WebSocket(`${proto}://${location.host}/api/ws`, ['paddock.v1', `paddock.token.${token}`]);
    socket.onopen = () => {
      retry = 500;
      // Anything may have happened while we were away: let every view refetch.
      for (const e of API_EVENTS) if (e !== 'activity:appended') listeners.get(e)?.forEach((l) => l(null));
    };
    socket.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as { event: ApiEvent; payload: unknown };
      listeners.get(msg.event)?.forEach((l) => l(msg.payload));
    };
    socket.onclose = () => {
      socket = null;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  connect();

  const call = async (channel: string, input: unknown): Promise<unknown> => {
    const res = await fetch(`/api/${channel}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: input === undefined ? '' : JSON.stringify(input),
    });
    const body = (await res.json().catch(() => null)) as { ok: boolean; value?: unknown; error?: { code: string; message: string } } | null;
    if (!body) throw new ApiError('E_INTERNAL', `the console answered ${res.status} without a body`);
    if (!body.ok) throw new ApiError(body.error?.code ?? 'E_INTERNAL', body.error?.message ?? 'unknown error');
    return body.value;
  };

  const api: Record<string, unknown> = {
    on(event: ApiEvent, listener: (p: unknown) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  for (const channel of Object.keys(API)) api[channel] = (input: unknown) => call(channel, input);
  return api as unknown as PaddockApi;
}
