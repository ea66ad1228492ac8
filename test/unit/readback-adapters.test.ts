// [I] read-back through the readers OHIF uses (@cornerstonejs/adapters 5.14.0, matching
// @cornerstonejs/core): Explicare's exported SEG and Parametric Map of a demo CT, given to the
// Cornerstone3D SEG and PM adapters with the series' image metadata, give back the top-5% regions
// and the map. What the adapters cannot do is pinned down too: the PM adapter takes Pixel Data as
// stored, so it needs the PM uncompressed (what a DICOMweb server sends by default) - given the
// JPEG-LS file itself it reads codestream bytes as pixels.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { exportResultFolder } from '../../src/cli/commands/report';
import { generateCtStudy, type CtDemoResult } from '../../src/main/engine/demo';
import { Engine } from '../../src/main/engine/engine';
import { readNifti } from '../../src/main/engine/io/nifti';
import { bundledModelsDir } from '../../src/main/engine/paths';
import { axis, indexToPatient } from '../../src/shared/geometry';
import { topRegion } from '../../src/shared/topRegion';
import type { VolumeInfo } from '../../src/shared/api';
import { loadAdapters, type Adapters, type MetadataProvider } from './readback-adapters';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-readback-ohif-'));
const cacheDir = path.join(tmp, 'cache');
const study = path.join(tmp, 'ct');
const results = path.join(tmp, 'results');
const out = path.join(tmp, 'out');
let demo: CtDemoResult;
let info: VolumeInfo;
let adapters: Adapters;
let imageIds: string[];
let provider: MetadataProvider;

const bytesOf = (file: string): ArrayBuffer => {
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

/** What cornerstone's metadata providers give for slice k of the series (as OHIF's would from the DICOM). */
function seriesMetadata(v: VolumeInfo): MetadataProvider {
  const g = v.geometry;
  const [nx, ny] = g.dimensions;
  const [row, col] = [axis(g.direction, 0), axis(g.direction, 1)];
  const byId = (imageId: string) => (imageId.startsWith('explicare:') ? Number(imageId.slice('explicare:'.length)) : -1);
  return {
    get(type: string, imageId: string) {
      const k = byId(imageId);
      if (k < 0) return undefined;
      const position = indexToPatient(g, [0, 0, k]);
      switch (type) {
        case 'imagePlaneModule':
          return {
            frameOfReferenceUID: v.frameOfReferenceUid,
            rows: ny,
            columns: nx,
            imageOrientationPatient: [...row, ...col],
            rowCosines: row,
            columnCosines: col,
            imagePositionPatient: position,
            pixelSpacing: [g.spacing[1], g.spacing[0]],
            rowPixelSpacing: g.spacing[1],
            columnPixelSpacing: g.spacing[0],
            sliceThickness: g.spacing[2],
          };
        case 'generalImageModule':
          return { sopInstanceUID: v.sopInstanceUids[k], instanceNumber: k + 1 };
        case 'generalSeriesModule':
          return { modality: v.modality, seriesInstanceUID: v.seriesUid, studyInstanceUID: v.studyUid };
        case 'imagePixelModule':
          return {
            bitsAllocated: 16,
            bitsStored: 16,
            highBit: 15,
            pixelRepresentation: 1,
            samplesPerPixel: 1,
            photometricInterpretation: 'MONOCHROME2',
            rows: ny,
            columns: nx,
          };
        case 'instance':
          return {
            Rows: ny,
            Columns: nx,
            SOPInstanceUID: v.sopInstanceUids[k],
            SeriesInstanceUID: v.seriesUid,
            StudyInstanceUID: v.studyUid,
            FrameOfReferenceUID: v.frameOfReferenceUid,
            ImagePositionPatient: position,
            ImageOrientationPatient: [...row, ...col],
            PixelSpacing: [g.spacing[1], g.spacing[0]],
          };
      }
      return undefined;
    },
  };
}

beforeAll(async () => {
  for (const tool of ['dcmdjpls']) if (spawnSync('which', [tool]).status !== 0) throw new Error(`${tool} is missing (apt-get install -y dcmtk)`);
  process.env.EXPLICARE_CACHE_DIR = cacheDir;
  demo = await generateCtStudy({ seed: 5, outDir: study, slices: 24, rows: 128, columns: 128 });
  const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await main(['explain', '--study', study, '--model', 'ct-nodule-classifier', '--method', 'gradcam,gradcampp', '--out', results])).toBe(0);
  } finally {
    quiet.mockRestore();
  }
  await exportResultFolder({ cacheDir, bundledModelsDir: bundledModelsDir(), pdf: false, dicom: true, anonymize: false, study, results, out });
  const engine = new Engine({ cacheDir: path.join(tmp, 'engine-cache') });
  try {
    await engine.openPaths([study]);
    info = await engine.loadVolume(demo.seriesUid);
  } finally {
    await engine.dispose();
  }
  adapters = await loadAdapters(path.join(tmp, 'adapters'));
  imageIds = info.sopInstanceUids.map((_, k) => `explicare:${k}`);
  provider = seriesMetadata(info);
  adapters.metaData.addProvider((type, imageId) => provider.get(type, imageId), 10_000);
}, 240_000);

afterAll(() => {
  delete process.env.EXPLICARE_CACHE_DIR;
  rmSync(tmp, { recursive: true, force: true });
});

describe('Cornerstone3D adapters (OHIF) read what Explicare writes', () => {
  it('SEG: every segment the adapter reads equals the top 5% region of its map, labels as written', async () => {
    const seg = await adapters.adaptersSEG.Cornerstone3D.Segmentation.createFromDICOMSegBuffer(
      imageIds,
      bytesOf(path.join(out, 'dicom', 'SEG-top-regions.dcm')),
      {
        metadataProvider: provider,
      },
    );
    expect(seg.segMetadata.data.slice(1).map((s) => s?.SegmentLabel)).toEqual(['gradcam top 5%', 'gradcampp top 5%']);
    const [nx, ny, nz] = info.geometry.dimensions;
    const slice = nx * ny;
    for (const [n, method] of [[1, 'gradcam'], [2, 'gradcampp']] as const) {
      const map = (await readNifti(path.join(results, `${method}.nii.gz`))).data as Float32Array;
      const expected = topRegion(map, 5);
      let differ = 0;
      for (let k = 0; k < nz; k++) {
        // Overlapping segments come as several label maps; a voxel is in segment n if any says so.
        const frames = seg.labelMapImages.map((group) => group[k].getPixelData());
        for (let p = 0; p < slice; p++) {
          const inSeg = frames.some((f) => f[p] === n) ? 1 : 0;
          if (inSeg !== expected[k * slice + p]) differ++;
        }
      }
      console.info(`OHIF SEG adapter, segment ${n} (${method}): ${differ} voxels differ of ${nx * ny * nz}`);
      expect(differ).toBe(0);
    }
  });

  it('Parametric Map, uncompressed (as a DICOMweb server sends it): the map, frame for frame, within half a step', async () => {
    const pm = path.join(out, 'dicom', 'PM-gradcam.dcm');
    const native = path.join(tmp, 'pm-native.dcm');
    execFileSync('dcmdjpls', [pm, native]);
    const { pixelData } = await adapters.adaptersPMAP.Cornerstone3D.ParametricMap.generateToolState(imageIds, bytesOf(native), provider);
    const map = (await readNifti(path.join(results, 'gradcam.nii.gz'))).data as Float32Array;
    expect(pixelData.length).toBe(map.length);
    // dcmjs 0.52's normalizer (normalizeMultiframe) takes Pixel Representation 0 for "missing" and
    // sets 1, so the adapter returns Int16. The writer keeps stored values at or below 32767
    // (report/mapQuantization.ts), so reading them as signed changes nothing: no value turns negative.
    expect(pixelData.constructor.name).toBe('Int16Array');
    const values = pixelData as Int16Array;
    let negative = 0;
    for (let i = 0; i < values.length; i++) if (values[i] < 0) negative++;
    expect(negative, 'stored values read as negative').toBe(0);
    const hi = map.reduce((a, b) => Math.max(a, b), 0);
    const slope = hi / 32767; // the writer's mapping for a non-negative map (read-back-ct checks it from the file)
    let worst = 0;
    for (let i = 0; i < map.length; i++) worst = Math.max(worst, Math.abs(values[i] * slope - map[i]));
    console.info(`OHIF PM adapter (uncompressed copy): max |stored x slope - map| = ${worst.toExponential(3)}, half step ${(slope / 2).toExponential(3)}`);
    expect(worst).toBeLessThanOrEqual(slope / 2 + hi * 1e-7);
  });

  it('Parametric Map as written (JPEG-LS): the adapter does not decode it, so a viewer must get it transcoded', async () => {
    const pm = path.join(out, 'dicom', 'PM-gradcam.dcm');
    const map = (await readNifti(path.join(results, 'gradcam.nii.gz'))).data as Float32Array;
    let got: ArrayLike<number> | undefined;
    let failure = '';
    try {
      got = (await adapters.adaptersPMAP.Cornerstone3D.ParametricMap.generateToolState(imageIds, bytesOf(pm), provider)).pixelData;
    } catch (err) {
      failure = (err as Error).message;
    }
    // Either it fails, or what it returns is not the map (codestream bytes read as pixels).
    const hi = map.reduce((a, b) => Math.max(a, b), 0);
    const equal =
      got !== undefined &&
      got.length === map.length &&
      Array.from({ length: map.length }).every((_, i) => Math.abs(got![i] * (hi / 32767) - map[i]) <= hi / 32767);
    console.info(`OHIF PM adapter on the JPEG-LS file: ${failure ? `fails (${failure})` : `returns ${got?.length} values, equal to the map: ${equal}`}`);
    expect(equal).toBe(false);
  });
});
