// Opening a demo study whether the app shows its start screen or, when the engine already has
// studies open (a server shared by several tests), the workstation.
import type { Page } from '@playwright/test';

export async function openDemo(page: Page, kind: 'ct' | 'ceph'): Promise<void> {
  const start = page.getByTestId(`open-demo-${kind}`);
  const side = page.getByRole('button', { name: kind === 'ct' ? 'Demo CT' : 'Demo ceph', exact: true });
  await start.or(side).first().waitFor({ timeout: 60_000 });
  // Wait until the app finished connecting (buttons are disabled while busy).
  await page.getByTestId('busy').waitFor({ state: 'detached', timeout: 60_000 });
  if (await start.isVisible()) await start.click();
  else await side.click();
  // Done when this study's viewport is shown and nothing is loading any more.
  await page.getByTestId(kind === 'ct' ? 'viewport-axial' : 'viewport-image').locator('canvas').waitFor({ timeout: 180_000 });
  await page.getByTestId('busy').waitFor({ state: 'detached', timeout: 180_000 });
}
