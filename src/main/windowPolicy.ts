// What the renderer may do beyond its own page: nothing. Every web contents (the main window and
// anything created later) gets these rules, so a script injected through a study or a model card
// can neither navigate the window elsewhere, nor open windows, nor get a device permission.
// Kept free of Electron imports so the rules are testable where Electron cannot run.

/** The parts of Electron's WebContents the rules use. */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect' | 'will-attach-webview', listener: (e: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** The parts of Electron's Session the rules use. */
export interface GuardedSession {
  setPermissionRequestHandler(handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (...args: unknown[]) => boolean): void;
}

/** Navigation of any frame, server redirects and webviews are refused; new windows are denied. */
export function guardContents(contents: GuardedContents, openExternal?: (url: string) => void): void {
  for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview'] as const) {
    contents.on(event, (e) => e.preventDefault());
  }
  contents.setWindowOpenHandler(({ url }) => {
    // Documentation links open in the user's browser, never inside the app.
    if (openExternal && /^https:\/\/[^\s]+$/.test(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/** No camera, microphone, notifications, clipboard or other permission is ever granted or reported. */
export function guardSession(session: GuardedSession): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
