// The main window with Electron's security baseline: isolated, sandboxed, no Node, strict CSP,
// no navigation away and no new windows.
import { BrowserWindow, session, shell } from 'electron';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../shared/csp';
import { guardContents, guardSession } from './windowPolicy';

export function createMainWindow(dirname: string): BrowserWindow {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  guardSession(session.defaultSession);

  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    title: 'Explicare',
    backgroundColor: '#111418',
    show: false,
    webPreferences: {
      preload: path.join(dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  guardContents(window.webContents, (url) => void shell.openExternal(url));
  return window;
}
