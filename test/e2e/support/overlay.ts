// Waiting for the viewer to have drawn, on the app's own signals instead of fixed sleeps:
// OverlayCanvas.vue stamps each overlay canvas with data-drawn-at (the page's performance.now()
// when a draw finished) and data-drawn-map (what it showed); ViewerSession.renderAndWait resolves
// on cornerstone's IMAGE_RENDERED events.
import type { Page } from '@playwright/test';

/** The page's clock. Read it before the change you want to see drawn. */
export async function pageClock(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

/** Waits until overlay canvas `testId` was brought up to date after `since` and shows `shown` (a final map by default). */
export async function overlayDrawn(page: Page, testId: string, since: number, shown: 'final' | 'none' = 'final', timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ({ id, since, shown }) => {
      const d = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`)?.dataset;
      return !!d && Number(d.drawnAt ?? -1) > since && d.drawnMap === shown;
    },
    { id: testId, since, shown },
    { timeout },
  );
}

/** Renders every viewer session and waits for each viewport's IMAGE_RENDERED (twice, see renderAndWait). */
export async function viewportsRendered(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const sessions = (window as unknown as { __explicareViewers?: { renderAndWait(): Promise<void> }[] }).__explicareViewers ?? [];
    await Promise.all(sessions.map((s) => s.renderAndWait()));
  });
}

/** Waits until viewport `testId` finished a render of its own (ViewerSession stamps data-rendered-at on IMAGE_RENDERED). */
export async function viewportRendered(page: Page, testId: string, since = 0, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ({ id, since }) => Number(document.querySelector<HTMLElement>(`[data-testid="${id}"]`)?.dataset.renderedAt ?? -1) > since,
    { id: testId, since },
    { timeout },
  );
}
