import type { PaddockApi } from '../../shared/api.js';
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
  if (!token) throw new Error('no console token: open the URL that paddock serve printed (it ends with #token=…)');
  return (instance = createWebBridge(token));
}

export { ApiError } from './api-error.js';
