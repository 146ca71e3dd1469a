import { API, API_EVENTS, type ApiEvent, type PaddockApi } from '../../shared/api.js';
import { ApiError } from './api-error.js';
import { setConnState } from './connection.js';

const TOKEN_KEY = 'paddock.console.token';
/** Longest wait between reconnection attempts. */
const MAX_RETRY_MS = 5_000;

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

/** What the console answers to a token check: reachable and accepted, refused (401), or not reachable. */
type Probe = 'ok' | 'stale' | 'down';

/**
 * The typed API over the web console: POST /api/<channel> and the /api/ws event socket.
 * When the server goes away the socket reconnects with backoff (state `reconnecting`); a server
 * that answers 401 was restarted with a new token (state `stale-token`, and retrying stops).
 */
export function createWebBridge(token: string): PaddockApi {
  const listeners = new Map<ApiEvent, Set<(p: unknown) => void>>();
  const auth = { Authorization: `Bearer ${token}` };
  let socket: WebSocket | null = null;
  let retry = 500;
  let stale = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const markStale = (): void => {
    if (stale) return;
    stale = true;
    // The old token can never work again (each `paddock serve` makes a new one): forget it.
    sessionStorage.removeItem(TOKEN_KEY);
    setConnState('stale-token');
    socket?.close();
  };
  const probe = async (): Promise<Probe> => {
    try {
      const res = await fetch('/api/system:info', { method: 'POST', headers: auth, body: '' });
      return res.status === 401 ? 'stale' : 'ok';
    } catch {
      return 'down';
    }
  };
  const schedule = (): void => {
    if (stale || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void probe().then((p) => {
        if (p === 'stale') return markStale();
        if (p === 'ok') return connect();
        retry = Math.min(retry * 2, MAX_RETRY_MS);
        schedule();
      });
    }, retry);
  };
  const connect = (): void => {
    if (stale || socket) return;
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    // Browsers cannot set Authorization on a WebSocket: the token rides in a subprotocol.
    const ws = new WebSocket(`${proto}://${location.host}/api/ws`, ['paddock.v1', `paddock.token.${token}`]);
    socket = ws;
    ws.onopen = () => {
      retry = 500;
      setConnState('online');
      // Anything may have happened while we were away: let every view refetch.
      for (const e of API_EVENTS) if (e !== 'activity:appended') listeners.get(e)?.forEach((l) => l(null));
    };
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as { event: ApiEvent; payload: unknown };
      listeners.get(msg.event)?.forEach((l) => l(msg.payload));
    };
    ws.onclose = () => {
      if (socket === ws) socket = null;
      if (stale) return;
      // The socket says nothing about why it closed: the next probe tells a gone server from a new token.
      setConnState('reconnecting');
      schedule();
    };
  };
  connect();

  const call = async (channel: string, input: unknown): Promise<unknown> => {
    if (stale) throw new ApiError('E_FORBIDDEN', 'this page\'s access token is no longer valid: open the new URL printed by paddock serve');
    let res: Response;
    try {
      res = await fetch(`/api/${channel}`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: input === undefined ? '' : JSON.stringify(input),
      });
    } catch {
      // Not retried here: the request may have reached the engine (starting a run twice is worse);
      // views refetch when the socket is back.
      setConnState('reconnecting');
      schedule();
      throw new ApiError('E_NO_HOST', 'Paddock is not reachable (reconnecting…); try again once it is back');
    }
    if (res.status === 401) {
      markStale();
      throw new ApiError('E_FORBIDDEN', 'this page\'s access token is no longer valid: open the new URL printed by paddock serve');
    }
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
