// Captures the README screenshots from the real app (npm run serve) in headless Chromium:
//   npx tsx tools/screenshots.ts   -> docs/screenshot-ct.png, docs/screenshot-ceph.png
import { chromium } from 'playwright-core';
import { startServer } from '../test/e2e/support/server';

const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(server.url);
  await page.getByTestId('open-demo-ct').click();
  await page.getByTestId('slice-axial').waitFor({ timeout: 120_000 });
  await page.getByTestId('preset-lung').click();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: 'docs/screenshot-ct.png' });
  await page.getByRole('button', { name: 'Demo ceph' }).click();
  await page.getByTestId('viewport-image').locator('canvas').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: 'docs/screenshot-ceph.png' });
} finally {
  await browser.close();
  await server.stop();
}
