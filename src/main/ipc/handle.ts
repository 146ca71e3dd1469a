import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Result } from '../../shared/errors.js';
import type { Adapter } from '../../core/api/index.js';
import { CHANNELS } from './channels.js';

/** Who may call the API: our one window, showing our bundled page. */
export interface TrustedWindow {
  webContents(): WebContents | null;
  /** The file:// URL of our bundled index.html. */
  url: string;
}

/** Strips the query and fragment (the renderer may use them; the file is what matters). */
function base(url: string): string {
  const i = url.search(/[?#]/);
  return i < 0 ? url : url.slice(0, i);
}

/**
 * True when an IPC call comes from our window's main frame showing our bundled page. Threat: a
 * frame, a foreign page the window was somehow navigated to, or another webContents calling the engine.
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, trusted: TrustedWindow): boolean {
  const wc = trusted.webContents();
  if (!wc || event.sender !== wc) return false;
  const frame = event.senderFrame;
  if (!frame || frame !== wc.mainFrame) return false;
  return base(frame.url) === base(trusted.url);
}

const FORBIDDEN: Result<never> = { ok: false, error: { code: 'E_FORBIDDEN', message: 'this window may not call Paddock' } };

/**
 * Registers one channel: checks the sender, then hands the call to the one API adapter (zod
 * validation, the verb, the `{ok,value}|{ok:false,error}` envelope). The only way the main
 * process exposes anything to a renderer.
 */
export function handle(ipcMain: Pick<IpcMain, 'handle'>, channel: string, api: Adapter<void>, trusted: TrustedWindow): void {
  ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(event, trusted)) return FORBIDDEN;
    return api.call(channel, input);
  });
}

/** Registers every channel of the API map. */
export function registerApi(ipcMain: Pick<IpcMain, 'handle'>, api: Adapter<void>, trusted: TrustedWindow): void {
  for (const channel of CHANNELS) handle(ipcMain, channel, api, trusted);
}
