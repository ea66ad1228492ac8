// One DICOM export of an explain result folder, run in a fresh process so that the peak RSS is this
// export's alone (the CLI's `report --dicom` path: open the series, read the NIfTI maps, write the
// key images, Parametric Maps, SEG and SR). Prints one JSON line: wall time, peak RSS, object sizes.
// Usage: tsx bench/exportLarge.ts STUDY RESULTS OUT CACHE
import { statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportResultFolder } from '../src/cli/commands/report';
import { bundledModelsDir } from '../src/main/engine/paths';

const [study, results, out, cacheDir] = process.argv.slice(2);
if (!cacheDir) throw new Error('usage: tsx bench/exportLarge.ts STUDY RESULTS OUT CACHE');
const t0 = performance.now();
const r = await exportResultFolder({ study, results, out, cacheDir, bundledModelsDir: bundledModelsDir(), pdf: false, dicom: true, anonymize: false, overwrite: true });
const wallMs = performance.now() - t0;
const MB = 2 ** 20;
console.log(
  JSON.stringify({
    wallMs: Math.round(wallMs),
    exportMs: r.elapsedMs,
    // maxRSS is in kilobytes
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    objectsMB: Object.fromEntries(r.files.map((f) => [path.basename(f), Number((statSync(f).size / MB).toFixed(2))])),
  }),
);
