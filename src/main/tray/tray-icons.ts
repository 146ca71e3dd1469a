import type { TrayIcon } from './tray-menu.js';

const COLOURS: Record<TrayIcon, [number, number, number]> = {
  idle: [128, 136, 150],
  running: [46, 160, 100],
  approval: [230, 150, 20],
  alert: [215, 60, 60],
};

/** A 16×16 BGRA bitmap of a filled circle in the state's colour (no image files needed). */
export function trayBitmap(state: TrayIcon, size = 16): Buffer {
  const [r, g, b] = COLOURS[state];
  const buf = Buffer.alloc(size * size * 4);
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      const a = d <= c - 0.5 ? 255 : d <= c + 0.5 ? 128 : 0;
      const i = (y * size + x) * 4;
      buf[i] = b;
      buf[i + 1] = g;
      buf[i + 2] = r;
      buf[i + 3] = a;
    }
  return buf;
}
