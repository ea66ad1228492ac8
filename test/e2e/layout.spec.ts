// The workstation fits a 1280x800 laptop screen and stays sharp on a 4K monitor (device pixel
// ratio 2): nothing overflows the window, the viewports get most of the space, every panel control
// is reachable, and the viewport canvases are rendered at device resolution.
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

async function checkLayout(page: Page, width: number, height: number): Promise<void> {
  const overflow = await page.evaluate(() => ({
    x: document.documentElement.scrollWidth - window.innerWidth,
    y: document.documentElement.scrollHeight - window.innerHeight,
  }));
  expect(overflow.x, 'no horizontal overflow').toBeLessThanOrEqual(0);
  expect(overflow.y, 'no vertical overflow').toBeLessThanOrEqual(0);
  const axial = (await page.getByTestId('viewport-axial').boundingBox())!;
  // The main viewport gets a large share of the screen: at least a third of its width and half its height.
  expect(axial.width).toBeGreaterThan(width / 3);
  expect(axial.height).toBeGreaterThan(height / 2);
  // The explanation controls are reachable (the side panel scrolls, the window does not).
  const run = page.getByTestId('run-explain');
  await run.scrollIntoViewIfNeeded();
  await expect(run).toBeInViewport();
}

test('fits 1280x800', async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await checkLayout(page, 1280, 800);
  await page.close();
});

test('renders at device resolution on a 4K screen (1920x1080 CSS pixels at 2x)', async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 2 });
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await checkLayout(page, 1920, 1080);
  const canvas = page.getByTestId('viewport-axial').locator('canvas').first();
  const { css, device } = await canvas.evaluate((c: HTMLCanvasElement) => ({ css: c.clientWidth, device: c.width }));
  expect(device / css).toBeCloseTo(2, 1);
  await page.close();
});
