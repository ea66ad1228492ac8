// A codestream that declares another image size than the DICOM header is refused from its
// header, before the codec allocates what it declares: a 64 x 64 J2K frame claiming 16000 x 16000
// cost OpenJPEG 1.6 GB and 9 s before (and passed the per-frame budget, which reads the header).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../src/main/engine/dicom/parseFile';
import { readImageHeader } from '../../src/main/engine/dicom/imageHeader';
import { prepareFrame } from '../../src/main/engine/dicom/pixels/decodeFrame';
import { decodeEncapsulated } from '../../src/main/engine/dicom/pixels/decodeEncapsulated';
import { declaredSize } from '../../src/main/engine/dicom/pixels/codecs/declaredSize';
import { pydicomFile } from './dicom-test-helpers';

function firstFrame(name: string) {
  const ds = parseDicom(readFileSync(pydicomFile(name))).dataSet;
  const header = readImageHeader(ds);
  const p = prepareFrame(header, ds, 0);
  if (p.kind !== 'encoded') throw new Error(`${name} is not compressed`);
  return { ...p, encoded: new Uint8Array(p.encoded), header };
}

async function reason(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (err) {
    return (err as { reason?: string }).reason ?? String(err);
  }
  return 'decoded';
}

describe('declared codestream size', () => {
  it('reads the size that J2K SIZ, JPEG-LS SOF55 and JPEG SOF markers declare (as the header says, for sound files)', () => {
    for (const [name, components] of [['MR_small_jp2klossless.dcm', 1], ['MR_small_jpeg_ls_lossless.dcm', 1], ['SC_rgb_jpeg_dcmtk.dcm', 3]] as const) {
      const f = firstFrame(name);
      expect(declaredSize(f.encoded), name).toEqual({ width: f.header.columns, height: f.header.rows, components });
    }
  });

  it('refuses a J2K frame whose SIZ claims 16000 x 16000, at once', async () => {
    const f = firstFrame('MR_small_jp2klossless.dcm');
    const view = new DataView(f.encoded.buffer, f.encoded.byteOffset);
    view.setUint32(8, 16000); // Xsiz
    view.setUint32(12, 16000); // Ysiz
    const started = performance.now();
    expect(await reason(decodeEncapsulated(f.transferSyntaxUid, f.encoded, f.format, 0))).toBe('JPEG 2000 frame is 16000x16000 but the header says 64x64');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses JPEG-LS and JPEG frames whose SOF declares another size, and absurd component counts', async () => {
    const ls = firstFrame('MR_small_jpeg_ls_lossless.dcm');
    const sof = ls.encoded.findIndex((b, i) => b === 0xff && ls.encoded[i + 1] === 0xf7);
    ls.encoded[sof + 5] = 0x30; // lines: 0x30xx
    expect(await reason(decodeEncapsulated(ls.transferSyntaxUid, ls.encoded, ls.format, 0))).toMatch(/^JPEG-LS frame is 64x\d+ but the header says 64x64$/);
    const jpeg = firstFrame('SC_rgb_jpeg_dcmtk.dcm');
    const at = jpeg.encoded.findIndex((b, i) => b === 0xff && jpeg.encoded[i + 1] === 0xc0);
    jpeg.encoded[at + 9] = 200; // components
    expect(await reason(decodeEncapsulated(jpeg.transferSyntaxUid, jpeg.encoded, jpeg.format, 0))).toBe(
      'JPEG frame declares 200 colour components (at most 4 are decoded)',
    );
  });
});
