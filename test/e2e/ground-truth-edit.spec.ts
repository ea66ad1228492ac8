// Ground truth moves only under the left button, with undo, and the PDF scores what is on screen:
// a right-drag on a landmark zooms (never moves it), a left-drag moves it, the Undo button and
// Ctrl+Z put it back, and the exported PDF's MRE is the app's MRE after the edit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openDemo } from './support/app';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
const outDir = mkdtempSync(path.join(os.tmpdir(), 'explicare-e2e-truth-'));
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

async function drag(page: Page, testId: string, dx: number, button: 'left' | 'right' | 'middle'): Promise<void> {
  const box = (await page.getByTestId(testId).boundingBox())!;
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.move(x, y);
  await page.mouse.down({ button });
  await page.mouse.move(x + dx, y + dx / 2, { steps: 6 });
  await page.mouse.up({ button });
}

const number = async (page: Page, testId: string) => Number(await page.getByTestId(testId).innerText());

test('right-drag never moves a landmark; left-drag does, undo restores it, the PDF uses the edit', async ({ page }) => {
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await page.getByTestId('run-model').click();
  await expect(page.locator('g[data-testid^="truth-"]')).toHaveCount(19, { timeout: 180_000 });
  const errorBefore = await number(page, 'error-Go');
  const mreBefore = await number(page, 'mre');
  await expect(page.getByTestId('undo-truth')).toBeDisabled();

  // Right-drag starting on the gonion mark: the error stays, the image zoomed (about the point under
  // the mouse, so another landmark, sella, moved on screen).
  const markBefore = (await page.getByTestId('truth-S').boundingBox())!;
  await drag(page, 'truth-Go', -80, 'right');
  expect(await number(page, 'error-Go')).toBe(errorBefore);
  expect(await number(page, 'mre')).toBe(mreBefore);
  await expect(page.getByTestId('undo-truth')).toBeDisabled();
  const markAfterZoom = (await page.getByTestId('truth-S').boundingBox())!;
  expect(Math.hypot(markAfterZoom.x - markBefore.x, markAfterZoom.y - markBefore.y), 'right-drag zoomed the view').toBeGreaterThan(2);

  // Middle-drag pans; it does not move the landmark either.
  await drag(page, 'truth-Go', 40, 'middle');
  expect(await number(page, 'error-Go')).toBe(errorBefore);

  // Left-drag moves it; Undo puts it back exactly.
  await drag(page, 'truth-Go', 60, 'left');
  const errorMoved = await number(page, 'error-Go');
  expect(Math.abs(errorMoved - errorBefore)).toBeGreaterThan(1);
  await page.getByTestId('undo-truth').click();
  expect(await number(page, 'error-Go')).toBe(errorBefore);
  await expect(page.getByTestId('undo-truth')).toBeDisabled();

  // Ctrl+Z undoes the same way.
  await drag(page, 'truth-Go', 60, 'left');
  expect(await number(page, 'error-Go')).toBe(errorMoved);
  await page.keyboard.press('Control+z');
  expect(await number(page, 'error-Go')).toBe(errorBefore);

  // Move it again and export: the PDF's MRE is the one the app shows for the edited truth.
  await drag(page, 'truth-Go', 60, 'left');
  const mreEdited = await page.getByTestId('mre').innerText();
  expect(Number(mreEdited)).not.toBe(mreBefore);
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toHaveCount(1, { timeout: 120_000 });
  await page.getByTestId('tab-export').click();
  await page.getByTestId('export-dicom').uncheck();
  await page.getByTestId('export-folder').fill(outDir);
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
  const pdf = execFileSync('pdftotext', ['-layout', path.join(outDir, 'report.pdf'), '-'], { encoding: 'utf8' });
  expect(pdf).toContain(`${mreEdited} mm`);
  expect(pdf).toContain('edited by the user');
});
