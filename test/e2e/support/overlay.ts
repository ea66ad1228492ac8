// Waiting for an overlay canvas to be drawn, on the renderer's own signal (OverlayCanvas.vue sets
// data-drawn-version after each draw and data-drawn-map to what it showed), not on a fixed sleep.
import type { Page } from '@playwright/test';

/** The canvas's draw count so far (0 before its first draw). Read it before the change you wait on. */
export async function drawnVersion(page: Page, testId: string): Promise<number> {
  return page.evaluate((id) => Number(document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`)?.dataset.drawnVersion ?? 0), testId);
}

/**
 * Waits until the canvas was drawn again after draw `after` and that draw showed `shown` (a final
 * map by default); returns its draw count, for the next wait.
 */
export async function overlayDrawn(page: Page, testId: string, after: number, shown: 'final' | 'none' = 'final', timeout = 30_000): Promise<number> {
  const handle = await page.waitForFunction(
    ({ id, after, shown }) => {
      const d = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`)?.dataset;
      return d && Number(d.drawnVersion ?? 0) > after && d.drawnMap === shown ? Number(d.drawnVersion) : 0;
    },
    { id: testId, after, shown },
    { timeout },
  );
  return (await handle.jsonValue()) as number;
}
