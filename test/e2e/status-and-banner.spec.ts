// The status strip above the viewports says which map is on screen (and what runs), side panels
// fold away, and a stopped engine raises a banner that says what to do.
import { expect, test } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => server?.stop());

test('status strip names the shown map; panels fold; a stopped engine shows the disconnected banner', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await expect(page.getByTestId('status-strip')).toContainText('No explanation on screen');
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(1, { timeout: 120_000 });
  const label = await page.getByTestId('job-label').innerText();
  await expect(page.getByTestId('status-shown')).toHaveText(`Shown: ${label}`);

  // Folding the right panel widens the viewports; unfolding brings the panel back.
  const before = (await page.getByTestId('viewport-axial').boundingBox())!.width;
  await page.getByTestId('toggle-right').click();
  await expect(page.getByTestId('explain-panel')).toBeHidden();
  await expect.poll(async () => (await page.getByTestId('viewport-axial').boundingBox())!.width).toBeGreaterThan(before + 100);
  await page.getByTestId('toggle-right').click();
  await expect(page.getByTestId('explain-panel')).toBeVisible();

  // The engine stops: within a heartbeat the banner says so and what to do.
  await expect(page.getByTestId('engine-disconnected')).toHaveCount(0);
  await server.stop();
  server = undefined as unknown as RunningServer;
  await expect(page.getByTestId('engine-disconnected')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('engine-disconnected')).toContainText('npm start');
});
