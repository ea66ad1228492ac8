// One measurement, run in a fresh process so peak RSS belongs to this open alone:
// open a CT folder, decode it into a volume, send it over the HTTP transport. Prints JSON.
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/main/engine/engine';

const dir = process.argv[2];
const cacheDir = process.argv[3];
const baselineRss = process.memoryUsage().rss;
const t0 = performance.now();
const engine = new Engine({ cacheDir });
const report = await engine.openPaths([dir]);
const tScan = performance.now();
const uid = report.openedSeries[0];
let tFirst = 0;
// The progress callback tells when the first slice is decoded (what a streaming viewer could show).
const info = await engine.loadVolume(uid, (done) => {
  if (done === 1) tFirst = performance.now();
});
const voxels = await engine.getVoxels(uid);
const tFull = performance.now();
const voxelBytes = voxels.byteLength;
console.log(
  JSON.stringify({
    files: report.dicomFiles,
    dimensions: info.geometry.dimensions,
    voxelType: info.voxelType,
    scanMs: tScan - t0,
    firstSliceMs: tFirst - t0,
    fullVolumeMs: tFull - t0,
    voxelMB: voxelBytes / 2 ** 20,
    baselineRssMB: baselineRss / 2 ** 20,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    peakAboveBaselineInVolumeCopies: (process.resourceUsage().maxRSS * 1024 - baselineRss) / voxelBytes,
  }),
);
