// [I] read-back in the app: export the demo CT's and the demo cephalogram's Grad-CAM as DICOM, open
// the exported SEG, Parametric Map and SR again (uploaded like any file), show them, and check the
// overlay's voxels against the explanation map the engine holds, resampled here onto the series grid
// as the export resamples it: the PM within half its quantization step, the SEG segment exactly the
// top-5% region of that map. The SR's landmark points are drawn where the model's points are.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { DerivedObjectSummary, JobStatus, VolumeInfo } from '../../src/shared/api';
import { topRegion } from '../../src/shared/topRegion';
import { resample } from '../../src/main/engine/volume/resample';

import { openDemo } from './support/app';
import { overlayDrawn, pageClock } from './support/overlay';
import { startServer, type RunningServer } from './support/server';

let server: RunningServer;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-e2e-readback-'));
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** `uid` with its last digit changed: another UID of the same length, so the file's encoding stays valid. */
const otherUid = (uid: string) => uid.slice(0, -1) + String((Number(uid.at(-1)) + 1) % 10);

/** A copy of `file` with every occurrence of each UID replaced by another of the same length. */
function withUidsChanged(file: string, uids: string[]): Buffer {
  let text = readFileSync(file).toString('latin1');
  for (const uid of uids) text = text.split(uid).join(otherUid(uid));
  return Buffer.from(text, 'latin1');
}

/** The engine's API from the test process, with the page's token. */
async function api<T>(method: string, body: object, binary = false): Promise<T> {
  const url = new URL(`api/${method}`, server.url.split('#')[0]);
  const token = new URL(server.url).hash.replace('#token=', '');
  const res = await fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
  });
  if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}`);
  return (binary ? await res.arrayBuffer() : await res.json()) as T;
}

async function explainAndExport(page: Page, outDir: string): Promise<void> {
  await expect(page.getByTestId('run-explain')).toBeEnabled({ timeout: 120_000 });
  await page.getByTestId('explain-method').selectOption('gradcam');
  await page.getByTestId('run-explain').click();
  await expect(page.getByTestId('job-done')).toBeVisible({ timeout: 180_000 });
  await page.getByTestId('tab-export').click();
  await page.getByTestId('export-folder').fill(outDir);
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 180_000 });
  // The key images are a series of their own (opening them would select it): only the derived objects.
  const files = readdirSync(path.join(outDir, 'dicom')).filter((f) => /^(PM|SEG|SR)-/.test(f));
  expect(files.length).toBe(3);
  await page.getByTestId('tab-model').click();
  await page.getByTestId('ws-file-input').setInputFiles(files.map((f) => path.join(outDir, 'dicom', f)));
  await expect(page.getByTestId('derived-panel')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('derived-pm')).toHaveCount(1);
  await expect(page.getByTestId('derived-seg')).toHaveCount(1);
  await expect(page.getByTestId('derived-sr')).toHaveCount(1);
  await expect(page.getByTestId('derived-refusal')).toHaveCount(0);
}

/** The Grad-CAM map the engine holds (model grid), resampled onto the series grid as the export does. */
async function referenceMap(seriesUid: string): Promise<Float32Array> {
  const job = (await api<JobStatus[]>('listJobs', {})).findLast((j) => j.method === 'gradcam' && j.state === 'done' && j.seriesUid === seriesUid)!;
  const map = new Float32Array(await api<ArrayBuffer>('getExplanationMap', { jobId: job.id, target: job.result!.targets.length - 1 }, true));
  const info = await api<VolumeInfo>('loadVolume', { seriesUid });
  return resample(map, job.result!.grid, info.geometry, 'linear', 'clamp');
}

/** Every `step`-th voxel of the overlay the app shows, and the overlay's length. */
async function overlaySample(page: Page, step: number): Promise<{ values: number[]; length: number }> {
  return page.evaluate((step) => {
    const o = (window as unknown as { __explicareOverlay: () => { data: Float32Array } | null }).__explicareOverlay();
    const values: number[] = [];
    if (!o) return { values, length: 0 };
    for (let i = 0; i < o.data.length; i += step) values.push(o.data[i]);
    return { values, length: o.data.length };
  }, step);
}

/** The first viewport's test id suffix: 'axial' for a volume, 'image' for an X-ray. */
async function viewportId(page: Page): Promise<string> {
  return (await page.getByTestId('viewport-axial').count()) ? 'axial' : 'image';
}

async function checkPmAndSeg(page: Page, seriesUid: string, overlayId: string, step: number): Promise<void> {
  const reference = await referenceMap(seriesUid);
  const derived = await api<DerivedObjectSummary[]>('listDerived', { seriesUid });
  const pm = derived.find((d) => d.kind === 'pm')!;

  let since = await pageClock(page);
  await page.getByTestId('derived-show-pm').click();
  await overlayDrawn(page, overlayId, since);
  await expect(page.getByTestId('derived-value')).toContainText('gradcam');
  await expect(page.getByTestId('overlay-scale')).toContainText('gradcam (no units)');
  const shownPm = await overlaySample(page, step);
  expect(shownPm.length).toBe(reference.length);
  let worst = 0;
  shownPm.values.forEach((v, n) => (worst = Math.max(worst, Math.abs(v - reference[n * step]))));
  const hi = reference.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
  console.info(
    `e2e read-back PM (${seriesUid.slice(-8)}): ${shownPm.values.length} voxels, max |overlay - map| ${worst.toExponential(3)}, half step ${(pm.value!.slope / 2).toExponential(3)}`,
  );
  expect(worst).toBeLessThanOrEqual(pm.value!.slope / 2 + hi * 1e-6);
  // The real value under the cursor, with the mapping's units.
  const box = (await page.getByTestId(`viewport-${await viewportId(page)}`).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByTestId('derived-probe')).toHaveText(/^Under the cursor: -?[0-9.e+-]+ no units$/);

  since = await pageClock(page);
  await page.getByTestId('derived-segment').selectOption('1');
  await overlayDrawn(page, overlayId, since);
  const shownSeg = await overlaySample(page, step);
  const region = topRegion(reference, 5);
  let differ = 0;
  let inside = 0;
  shownSeg.values.forEach((v, n) => {
    if (v !== region[n * step]) differ++;
    inside += region[n * step];
  });
  expect(inside, 'the sample reaches into the region').toBeGreaterThan(0);
  expect(differ).toBe(0);
}

test('CT: the exported PM and SEG open again over the series and equal the Grad-CAM map', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto(server.url);
  await openDemo(page, 'ct');
  await explainAndExport(page, path.join(tmp, 'ct'));
  const seriesUid = (await api<JobStatus[]>('listJobs', {})).find((j) => j.method === 'gradcam')!.seriesUid;
  await checkPmAndSeg(page, seriesUid, 'overlay-0', 31);

  // A SEG of this series in another frame of reference: refused in the panel, by name; the rest stays.
  const bad = path.join(tmp, 'ct-bad', 'other-frame.dcm');
  mkdirSync(path.dirname(bad), { recursive: true });
  const seg = (await api<DerivedObjectSummary[]>('listDerived', { seriesUid })).find((d) => d.kind === 'seg')!;
  const frameOfReference = (await api<VolumeInfo>('loadVolume', { seriesUid })).frameOfReferenceUid;
  writeFileSync(bad, withUidsChanged(path.join(tmp, 'ct', 'dicom', 'SEG-top-regions.dcm'), [frameOfReference, seg.uid]));
  await page.getByTestId('ws-file-input').setInputFiles(bad);
  await expect(page.getByTestId('derived-refusal')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByTestId('derived-refusal')).toContainText(
    `(other-frame.dcm) is in another frame of reference (0020,0052: ${otherUid(frameOfReference)})`,
  );
  await expect(page.getByTestId('derived-seg')).toHaveCount(2);
  await expect(page.getByTestId('derived-show-pm')).toBeEnabled();
  await expect(page.getByTestId('viewport-axial').locator('canvas').first()).toBeVisible();
});

test('cephalogram: PM and SEG open again on the X-ray; the SR landmarks are drawn where the model put them', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto(server.url);
  await openDemo(page, 'ceph');
  await page.getByTestId('run-model').click();
  await expect(page.getByTestId('prediction')).toBeVisible({ timeout: 120_000 });
  await explainAndExport(page, path.join(tmp, 'ceph'));
  // The server is shared with the CT test: the ceph's job is the latest.
  const seriesUid = (await api<JobStatus[]>('listJobs', {})).filter((j) => j.method === 'gradcam' && j.state === 'done').at(-1)!.seriesUid;
  const info = await api<VolumeInfo>('loadVolume', { seriesUid });
  expect(info.kind).toBe('image');
  await checkPmAndSeg(page, seriesUid, 'overlay-0', 7);

  await page.getByTestId('derived-sr-points').check();
  const points = page.getByTestId('report-point');
  await expect(points.first()).toBeVisible();
  const drawn = await points.evaluateAll((els) =>
    els.map((e) => ({ name: e.getAttribute('data-name')!, x: Number(e.getAttribute('data-x')), y: Number(e.getAttribute('data-y')) })),
  );
  const predicted = await page.locator('[data-testid^="pred-"]').evaluateAll((els) =>
    els.map((e) => ({ title: e.querySelector('title')?.textContent ?? '', x: Number(e.getAttribute('cx')), y: Number(e.getAttribute('cy')) })),
  );
  expect(drawn.length).toBe(predicted.length);
  for (const d of drawn) {
    const p = predicted.find((q) => q.title.startsWith(`${d.name} (predicted)`))!;
    expect(p, d.name).toBeDefined();
    // Same point through the same camera: within a hundredth of a screen pixel (SCOORD is float32).
    expect(Math.abs(d.x - p.x)).toBeLessThan(0.01);
    expect(Math.abs(d.y - p.y)).toBeLessThan(0.01);
  }
});
