import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import { buildTrayMenu, trayIcon, trayTooltip, type TrayAction, type TrayItem, type TrayState } from './tray-menu.js';
import { trayBitmap } from './tray-icons.js';

function toTemplate(items: TrayItem[], run: (a: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((i) => ({
    label: i.label,
    type: i.type ?? (i.submenu ? 'submenu' : 'normal'),
    checked: i.checked,
    enabled: i.enabled ?? true,
    click: i.action ? () => run(i.action!) : undefined,
    submenu: i.submenu ? toTemplate(i.submenu, run) : undefined,
  }));
}

/** The tray: icon and tooltip by state, menu from buildTrayMenu. */
export class PaddockTray {
  private readonly tray: Tray;
  constructor(private readonly run: (a: TrayAction) => void) {
    this.tray = new Tray(nativeImage.createFromBitmap(trayBitmap('idle'), { width: 16, height: 16 }));
    this.tray.on('click', () => run({ kind: 'open' }));
  }

  /** Re-renders the tray from the state. */
  update(s: TrayState): void {
    this.tray.setImage(nativeImage.createFromBitmap(trayBitmap(trayIcon(s)), { width: 16, height: 16 }));
    this.tray.setToolTip(trayTooltip(s));
    this.tray.setContextMenu(Menu.buildFromTemplate(toTemplate(buildTrayMenu(s), this.run)));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
