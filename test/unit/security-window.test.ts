// Security item 9 of issue K, Electron window: the rules every web contents gets. Electron cannot
// run on these machines, so the rules are applied to a Node EventEmitter with the same events and
// checked by emitting what Chromium would emit.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { guardContents, guardSession } from '../../src/main/windowPolicy';

class Contents extends EventEmitter {
  openHandler?: (d: { url: string }) => { action: string };
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }) {
    this.openHandler = h;
  }
  /** Emits like Chromium and says whether a listener prevented the default. */
  attempt(event: string): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true) });
    return prevented;
  }
}

describe('window rules', () => {
  it('blocks navigation of any frame, redirects and webviews', () => {
    const c = new Contents();
    guardContents(c);
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) expect(c.attempt(event), event).toBe(true);
  });

  it('denies new windows; only https links go to the user browser', () => {
    const c = new Contents();
    const opened: string[] = [];
    guardContents(c, (u) => opened.push(u));
    for (const url of ['https://docs.example/x', 'http://evil.example', 'file:///etc/passwd', 'javascript:alert(1)'])
      expect(c.openHandler!({ url }).action).toBe('deny');
    expect(opened).toEqual(['https://docs.example/x']);
  });

  it('grants and reports no permission', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | undefined;
    let check: ((...a: unknown[]) => boolean) | undefined;
    guardSession({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) });
    for (const p of ['media', 'notifications', 'clipboard-read', 'geolocation']) {
      let granted: boolean | undefined;
      request!(null, p, (g) => (granted = g));
      expect(granted).toBe(false);
      expect(check!(null, p, 'file://', {})).toBe(false);
    }
  });
});
