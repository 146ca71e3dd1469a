import type { ITheme } from '@xterm/xterm';

/** Terminal colours for the light app theme (ANSI colours darkened to read on white). */
export const LIGHT_THEME: ITheme = {
  background: '#ffffff',
  foreground: '#1c2330',
  cursor: '#2f6fdf',
  cursorAccent: '#ffffff',
  selectionBackground: '#c9d9f7',
  black: '#1c2330',
  red: '#b42d2d',
  green: '#17703f',
  yellow: '#8a5a00',
  blue: '#2458c4',
  magenta: '#8b3aa8',
  cyan: '#0f7280',
  white: '#8a94a3',
  brightBlack: '#5b6678',
  brightRed: '#d13c3c',
  brightGreen: '#1d8a4e',
  brightYellow: '#a36200',
  brightBlue: '#2f6fdf',
  brightMagenta: '#a24bc2',
  brightCyan: '#138897',
  brightWhite: '#c4cbd6',
};

/** Terminal colours for the dark app theme. */
export const DARK_THEME: ITheme = {
  background: '#0d1117',
  foreground: '#e3e8ef',
  cursor: '#6b9cf5',
  cursorAccent: '#0d1117',
  selectionBackground: '#2b3d5c',
  black: '#232a35',
  red: '#f07b7b',
  green: '#5cc98e',
  yellow: '#f0b35a',
  blue: '#6b9cf5',
  magenta: '#c792ea',
  cyan: '#5fc4d0',
  white: '#c9d1dc',
  brightBlack: '#6c7889',
  brightRed: '#ff9b9b',
  brightGreen: '#7ee0a8',
  brightYellow: '#ffd08a',
  brightBlue: '#93b8ff',
  brightMagenta: '#dcb0f5',
  brightCyan: '#8be1ea',
  brightWhite: '#ffffff',
};

/** Whether the app currently shows its dark theme (the user's pick, else the system's). */
export function isDark(): boolean {
  const t = document.documentElement.dataset.theme;
  if (t === 'dark') return true;
  if (t === 'light') return false;
  return window.matchMedia('(prefers-color-scheme: dark)').matches;
}

/** Calls `cb` whenever the app's effective theme may have changed. Returns the unsubscribe. */
export function onThemeChange(cb: () => void): () => void {
  const mo = new MutationObserver(cb);
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const mq = window.matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', cb);
  return () => {
    mo.disconnect();
    mq.removeEventListener('change', cb);
  };
}
