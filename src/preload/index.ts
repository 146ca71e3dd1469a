import { contextBridge, ipcRenderer } from 'electron';

// One namespaced object; never ipcRenderer itself (the page must not reach arbitrary channels).
contextBridge.exposeInMainWorld('paddock', {
  version: (): Promise<string> => ipcRenderer.invoke('system:version') as Promise<string>,
});
