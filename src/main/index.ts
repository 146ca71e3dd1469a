import { app, BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { hardenApp, hardenSession, secureWebPreferences } from './security/index.js';

const APP_NAME = 'Paddock';

// One Paddock per user: a second start focuses the first window instead of racing for the data dir.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.setName(APP_NAME);
  hardenApp(app);
  let win: BrowserWindow | null = null;

  const createWindow = (): void => {
    win = new BrowserWindow({
      title: APP_NAME,
      width: 1280,
      height: 800,
      show: false,
      webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
    });
    win.once('ready-to-show', () => win?.show());
    void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  };

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession);
    createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
