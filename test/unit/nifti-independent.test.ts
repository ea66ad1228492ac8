// Explicare's NIfTI writer read back by an independent reader (nifti-reader-js): the voxel order and
// the affine must put a marked voxel at the patient position Explicare's geometry gives it, so a
// sign error or a swapped axis in the affine fails (NIfTI is RAS, DICOM patient space is LPS).
import { describe, expect, it } from 'vitest';
import * as nifti from 'nifti-reader-js';
import { gzipSync } from 'node:zlib';
import { indexToPatient, type Geometry } from '../../src/shared/geometry';
import { niftiBuffer } from '../../src/main/engine/io/nifti';

describe('NIfTI writer vs nifti-reader-js', () => {
  // An oblique, flipped, anisotropic grid: rows along -y rotated 30 degrees about z, slices along -z.
  const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
  const geometry: Geometry = { dimensions: [7, 5, 4], spacing: [0.8, 1.3, 2.5], origin: [-120.5, 33.25, 410], direction: [c, s, 0, s, -c, 0, 0, 0, -1] };
  const data = new Float32Array(7 * 5 * 4);
  const hot: [number, number, number] = [5, 1, 3];
  data[hot[0] + hot[1] * 7 + hot[2] * 35] = 9;

  for (const gz of [false, true]) {
    it(`places a marked voxel at its patient position (${gz ? 'gzipped' : 'plain'})`, () => {
      let bytes: Buffer = niftiBuffer({ geometry, data, description: 'test' });
      if (gz) bytes = gzipSync(bytes);
      let buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      if (nifti.isCompressed(buf)) buf = nifti.decompress(buf) as ArrayBuffer;
      expect(nifti.isNIFTI(buf)).toBe(true);
      const header = nifti.readHeader(buf)!;
      expect(header.dims.slice(1, 4)).toEqual([7, 5, 4]);
      const image = new Float32Array(nifti.readImage(header, buf));
      expect(image.indexOf(9)).toBe(hot[0] + hot[1] * 7 + hot[2] * 35);
      const a = header.affine; // sform, voxel (i, j, k) -> RAS mm
      const ras = [0, 1, 2].map((r) => a[r][0] * hot[0] + a[r][1] * hot[1] + a[r][2] * hot[2] + a[r][3]);
      const lps = indexToPatient(geometry, hot);
      expect(ras[0]).toBeCloseTo(-lps[0], 4);
      expect(ras[1]).toBeCloseTo(-lps[1], 4);
      expect(ras[2]).toBeCloseTo(lps[2], 4);
      // The voxel sizes are the geometry's spacing.
      expect(header.pixDims.slice(1, 4).map((v: number) => Number(v.toFixed(4)))).toEqual([0.8, 1.3, 2.5]);
    });
  }
});
