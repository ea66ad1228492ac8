// [I] read-back of a SEG Explicare did not write: pydicom's test files liver_1frame.dcm (Explicit VR
// Little Endian) and liver_expb_1frame.dcm (Big Endian), one 512 x 512 binary frame of a liver
// segment over a CT series that is not shipped. The CT geometry they reference is rebuilt here (three
// blank slices with the referenced SOP Instance UIDs, frame of reference and plane positions), so the
// SEG lands on the slice it names. References from pydicom 2.3.1 (pixel_array) and scikit-image 0.26
// (lab2rgb, D65), computed once with /work/venv/bin/python:
//   d = pydicom.dcmread('liver_1frame.dcm'); r, c = np.nonzero(d.pixel_array)
//   len(r), r.sum(), c.sum(), (r*r).sum(), (c*c).sum(), (r*c).sum()
//   lab2rgb([L/65535*100, a/65535*255-128, b/65535*255-128]) * 255 for RecommendedDisplayCIELabValue
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/engine';
import { writeDicom } from '../../src/main/engine/io/dicomWrite';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const STUDY = '1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1';
const SERIES = '1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1';
const FRAME_OF_REFERENCE = '1.2.392.200103.20080913.113635.3.2009.6.22.21.44.34.23882.1';
const SOP = (n: number) => `1.2.392.200103.20080913.113635.2.2009.6.22.21.43.10.${n}.1`;
/** pydicom's mask: voxel count and the moments of its (row, column) indices. */
const MASK = { count: 36233, rows: 8657351, cols: 7187611, rows2: 2170596503, cols2: 1605844255, rowsCols: 1646118972 };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'explicare-readback-pydicom-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Three blank CT slices, 1 mm apart, the SEG's frame on the top one (SOP ...23433.1 at z = -128.69). */
async function referencedCt(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [k, n] of [23431, 23432, 23433].entries()) {
    await writeDicom(path.join(dir, `ct-${k}.dcm`), {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
      SOPInstanceUID: SOP(n),
      StudyInstanceUID: STUDY,
      SeriesInstanceUID: SERIES,
      FrameOfReferenceUID: FRAME_OF_REFERENCE,
      Modality: 'CT',
      InstanceNumber: k + 1,
      Rows: 512,
      Columns: 512,
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      RescaleSlope: 1,
      RescaleIntercept: 0,
      PixelSpacing: [0.810547, 0.810547],
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      ImagePositionPatient: [-235.2, -226.8, -130.69 + k],
      PixelData: [new Int16Array(512 * 512).buffer],
      _vrMap: { PixelData: 'OW' },
    });
  }
}

describe("pydicom's SEG test files", () => {
  for (const file of ['liver_1frame.dcm', 'liver_expb_1frame.dcm']) {
    it(`${file}: opens over the series it references, segment "Liver" in its colour, the mask pydicom reads on the slice it names`, async () => {
      const dir = path.join(tmp, file);
      await referencedCt(path.join(dir, 'ct'));
      copyFileSync(path.join(PYDICOM, file), path.join(dir, file));
      const engine = new Engine({ cacheDir: path.join(tmp, `cache-${file}`) });
      try {
        const report = await engine.openPaths([dir]);
        expect(report.skipped).toEqual([]);
        expect(engine.listStudies()[0].series.map((s) => s.seriesUid)).toEqual([SERIES]);
        const [seg] = await engine.listDerived(SERIES);
        expect([seg.kind, seg.refusal]).toEqual(['seg', undefined]);
        expect(seg.segments).toEqual([{ number: 1, label: 'Liver', rgb: [221, 130, 101], fromFile: true }]);
        const mask = await engine.derivedMap(SERIES, seg.uid, 1);
        const slice = 512 * 512;
        const m = { count: 0, rows: 0, cols: 0, rows2: 0, cols2: 0, rowsCols: 0 };
        for (let i = 0; i < mask.length; i++) {
          if (!mask[i]) continue;
          expect(Math.floor(i / slice), 'only the slice the frame names').toBe(2);
          const [r, c] = [Math.floor((i % slice) / 512), i % 512];
          m.count++;
          m.rows += r;
          m.cols += c;
          m.rows2 += r * r;
          m.cols2 += c * c;
          m.rowsCols += r * c;
        }
        expect(m).toEqual(MASK);
      } finally {
        await engine.dispose();
      }
    });
  }

  it('alone, without its series: named in the open report, nothing else fails', async () => {
    const engine = new Engine({ cacheDir: path.join(tmp, 'cache-alone') });
    try {
      const report = await engine.openPaths([path.join(PYDICOM, 'liver_1frame.dcm')]);
      expect(report.skipped).toEqual([
        {
          file: 'liver_1frame.dcm',
          reason: `Segmentation "QIICR QIN IOWA" (liver_1frame.dcm) refers to series ${SERIES}, which is not open: it is shown once that series is opened`,
        },
      ]);
      expect(report.studies).toEqual([]);
    } finally {
      await engine.dispose();
    }
  });
});
