import type { PaddockApi } from '../../shared/api.js';
import { ApiError } from './api-error.js';
import { setConnState } from './connection.js';
import { createWebBridge, takeToken } from './web-bridge.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload (absent in the web console). */
    paddock?: PaddockApi;
  }
}

let instance: PaddockApi | null = null;

/** The typed API: the preload's object in Electron, else the web console bridge. */
export function api(): PaddockApi {
  if (instance) return instance;
  if (window.paddock) return (instance = window.paddock);
  const token = takeToken();
  if (!token) {
    setConnState('no-token');
    throw new ApiError('E_FORBIDDEN', 'no console token: open the URL that paddock serve printed (it ends with #token=…)');
  }
  return (instance = createWebBridge(token));
}

/** True in the web console (`paddock serve`), false in the desktop app. */
export function isConsole(): boolean {
  return !window.paddock;
}

export { ApiError };
