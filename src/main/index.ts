import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apiAdapter, subscribeApiEvents } from '../core/api/index.js';
import { resolveDataDir } from '../core/client/index.js';
import { alertPauseFromEnv, cpuAlertFromEnv, createPaddock, type Paddock } from '../core/commands/index.js';
import { startHost, type Host } from '../core/host/index.js';
import { EVENT_CHANNEL, type EventMessage } from './ipc/channels.js';
import { registerApi } from './ipc/handle.js';
import { registerTerminal, type TerminalRegistry } from './ipc/terminal.js';
import { notifyFor } from './notify.js';
import { hardenApp, hardenSession, secureWebPreferences } from './security/index.js';
import { PaddockTray } from './tray/tray.js';
import { trayActions, trayState, type TrayShell } from './tray/tray-actions.js';
import type { TrayAction } from './tray/tray-menu.js';

const APP_NAME = 'Paddock';
const INDEX_HTML = join(import.meta.dirname, '../renderer/index.html');

// One Paddock per user: a second start focuses the first window instead of racing for the data dir.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.setName(APP_NAME);
  hardenApp(app);
  let win: BrowserWindow | null = null;
  let engine: Paddock | null = null;
  let host: Host | null = null;
  let tray: PaddockTray | null = null;
  let terminals: TerminalRegistry | null = null;
  let quitting = false;
  let alert = false;

  const createWindow = (): void => {
    const preferences = secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs'));
    // The hardening flags are repeated literally so static checkers (electronegativity) can see them.
    win = new BrowserWindow({
      title: APP_NAME,
      width: 1280,
      height: 800,
      show: false,
      webPreferences: { ...preferences, contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' },
    });
    win.once('ready-to-show', () => win?.show());
    // A reload, navigation or crash detaches the window's terminal views; the sessions keep running
    // (reattached from the agent page) until End session, their program's exit, or quitting the app.
    const wc = win.webContents;
    const detachTerminals = (): void => terminals?.detachAll(wc);
    wc.on('destroyed', detachTerminals);
    wc.on('render-process-gone', detachTerminals);
    wc.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) detachTerminals();
    });
    // Closing the window keeps agents running under the tray; Quit (tray or menu) really quits.
    win.on('close', (e) => {
      if (!quitting) {
        e.preventDefault();
        // Agents and terminal sessions keep running under the tray (reopen the window to see them); quitting ends them.
        win?.hide();
      }
    });
    win.on('closed', () => (win = null));
    void win.loadFile(INDEX_HTML);
  };
  const open = (): void => {
    if (!win) createWindow();
    win?.show();
    win?.focus();
    alert = false;
    void refreshTray();
  };

  const shell: TrayShell = { open, quit: () => app.quit(), refresh: () => refreshTray(), alert: () => alert };
  const refreshTray = async (): Promise<void> => {
    if (engine) tray?.update(await trayState(engine, shell));
  };
  const act = async (a: TrayAction): Promise<void> => {
    if (engine) await trayActions(engine, shell)(a);
  };

  void app.whenReady().then(async () => {
    hardenSession(session.defaultSession);
    // PADDOCK_SQLITE_BINDING: the Electron-ABI build of better-sqlite3 made by `npm start` (scripts/start.mjs).
    try {
      // The tripwires' settings as the CLI reads them; a bad value is said in a dialog, not ignored.
      const alerts = { cpuAlert: cpuAlertFromEnv(process.env), alertPause: alertPauseFromEnv(process.env) };
      engine = await createPaddock({ dataDir: resolveDataDir({ flag: undefined, env: process.env }), sqliteBinding: process.env.PADDOCK_SQLITE_BINDING ?? null, ...alerts });
      host = await startHost(engine, 'Paddock (desktop app)', app.getVersion());
      engine.prestartLauncher('pipe'); // the first start skips the slow part of its launch
      void engine.checkLogOnStart();
    } catch (e) {
      dialog.showErrorBox(APP_NAME, (e as Error).message);
      app.exit(1);
      return;
    }
    const api = apiAdapter(engine, { version: app.getVersion(), surface: 'app' });
    const trusted = { webContents: () => win?.webContents ?? null, url: pathToFileURL(INDEX_HTML).href };
    registerApi(ipcMain, api, trusted);
    terminals = registerTerminal(ipcMain, { paddock: engine, userShell: process.env.SHELL }, trusted);
    subscribeApiEvents(engine, (event, payload) => {
      win?.webContents.send(EVENT_CHANNEL, { event, payload } satisfies EventMessage);
      if (event !== 'activity:appended') void refreshTray();
    });
    const verbs = engine;
    verbs.on('event', (ev) => {
      if (ev.kind === 'alert') alert = true;
      if (ev.kind === 'alert' || ev.kind === 'approval.request') void refreshTray();
      notifyFor(ev, { answer: (id, answer) => void verbs.answer(id, answer, 'app').catch(() => undefined), open });
    });
    tray = new PaddockTray((a) => void act(a).catch((e: Error) => dialog.showErrorBox(APP_NAME, e.message)));
    await refreshTray();
    createWindow();
  });

  // Quitting asks when agents run, then stops them (they never outlive the app unsupervised).
  app.on('before-quit', (e) => {
    if (quitting || !engine) return;
    e.preventDefault();
    const running = engine.activeAgents();
    const go = running.length === 0 || dialog.showMessageBoxSync({ type: 'question', buttons: ['Stop agents and quit', 'Cancel'], defaultId: 1, cancelId: 1, message: `${running.length} agent${running.length === 1 ? ' is' : 's are'} running (${running.join(', ')}). Quitting stops ${running.length === 1 ? 'it' : 'them'}.` }) === 0;
    if (!go) return;
    quitting = true;
    void (async () => {
      // Threat: terminal sessions outliving the app, unsupervised.
      await terminals?.closeAll('Paddock is quitting').catch(() => undefined);
      await engine?.killAll('Paddock is quitting').catch(() => undefined);
      await host?.close().catch(() => undefined);
      await engine?.close().catch(() => undefined);
      tray?.destroy();
      app.quit();
    })();
  });
  app.on('second-instance', () => open());
  app.on('activate', () => open());
  // Agents keep running under the tray when every window is closed.
  app.on('window-all-closed', () => undefined);
}
