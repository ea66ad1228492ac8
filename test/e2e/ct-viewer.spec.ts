// Demo CT end to end: three MPR viewports render it, scrolling changes the slice, presets change pixels.
import { expect, test, type Page } from '@playwright/test';
import { viewportsRendered } from './support/overlay';
import { meanAbsDiff, stats } from './support/pixels';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

interface ViewerProbe {
  getSliceIndex(i: number): { index: number; count: number; positionMm: number; acquiredSlice: number | null };
  getWindow(): { center: number; width: number };
}
const sliceOf = (page: Page, i: number) =>
  page.evaluate((i) => (window as unknown as { __explicareViewer: ViewerProbe }).__explicareViewer.getSliceIndex(i), i);

/** Renders the viewports and waits for their IMAGE_RENDERED events (twice: see renderAndWait). */
const settle = viewportsRendered;

test('opens the demo CT in axial, sagittal and coronal viewports and reads it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.getByTestId('open-demo-ct').click();
  const axial = page.getByTestId('viewport-axial');
  await expect(axial.locator('canvas')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('slice-axial')).toBeVisible();
  await settle(page);

  for (const name of ['axial', 'sagittal', 'coronal']) {
    const s = stats(await page.getByTestId(`viewport-${name}`).screenshot());
    // A chest CT in a mediastinal window: a lit body on a black background, with structure.
    expect(s.nonBlackFraction, `${name} shows the body`).toBeGreaterThan(0.15);
    expect(s.std, `${name} has contrast`).toBeGreaterThan(20);
  }

  // Scroll the axial viewport: the slice index, the position and the pixels change.
  const before = await sliceOf(page, 0);
  const shotBefore = await axial.screenshot();
  await axial.hover();
  for (let i = 0; i < 10; i++) await page.mouse.wheel(0, 100);
  await settle(page);
  const after = await sliceOf(page, 0);
  expect(after.index).not.toBe(before.index);
  expect(Math.abs(after.positionMm - before.positionMm)).toBeGreaterThan(5);
  // The label is the engine's slice order (what the tag panel and the PDF use), not cornerstone's index.
  await expect(page.getByTestId('slice-axial')).toContainText(`slice ${after.acquiredSlice! + 1}/120 · Im `);
  expect(meanAbsDiff(shotBefore, await axial.screenshot())).toBeGreaterThan(1);

  // Window presets: lung and bone windows draw the same slice differently.
  await page.getByTestId('preset-lung').click();
  await settle(page);
  const lung = await axial.screenshot();
  await expect(page.getByTestId('window-readout')).toHaveText('W 1500 · L -600');
  await page.getByTestId('preset-bone').click();
  await settle(page);
  const bone = await axial.screenshot();
  await expect(page.getByTestId('window-readout')).toHaveText('W 1800 · L 400');
  expect(meanAbsDiff(lung, bone)).toBeGreaterThan(5);
  // Lungs are dark-grey in a lung window but black in a bone window: the lung window is brighter.
  expect(stats(lung).mean).toBeGreaterThan(stats(bone).mean);

  // Keyboard preset (1 = lung) also applies.
  await page.keyboard.press('1');
  await expect(page.getByTestId('window-readout')).toHaveText('W 1500 · L -600');

  // HU under the cursor: air outside the body is about -1000 HU.
  const box = (await axial.boundingBox())!;
  await page.mouse.move(box.x + 12, box.y + box.height / 2);
  await expect(page.getByTestId('probe')).toContainText('HU');
  const probe = await page.getByTestId('probe').innerText();
  const hu = Number(/(-?\d+(?:\.\d+)?) HU/.exec(probe)?.[1]);
  expect(hu).toBeLessThan(-900);

  // The tag panel shows the current image's tags.
  await expect(page.getByTestId('tag-panel')).toContainText('Modality');
  await expect(page.getByTestId('tag-panel')).toContainText('CT');
  expect(errors).toEqual([]);
});
