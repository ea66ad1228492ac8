// The volume's one voxel buffer. It starts in the narrowest type the data can use and widens to
// float32 only if a value does not fit, so a CT in HU costs 2 bytes per voxel.
import type { VoxelType } from '../../../shared/api';

export type VoxelArray = Int16Array | Uint16Array | Uint8Array | Float32Array;

const ranges: Record<VoxelType, [number, number]> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  uint8: [0, 255],
  float32: [-Infinity, Infinity],
};

function allocate(type: VoxelType, length: number): VoxelArray {
  try {
    switch (type) {
      case 'int16': return new Int16Array(length);
      case 'uint16': return new Uint16Array(length);
      case 'uint8': return new Uint8Array(length);
      case 'float32': return new Float32Array(length);
    }
  } catch {
    const mb = Math.round((length * (type === 'float32' ? 4 : type === 'uint8' ? 1 : 2)) / 2 ** 20);
    throw new RangeError(`not enough memory for a ${mb} MB volume`);
  }
}

export class VoxelStore {
  data: VoxelArray;
  type: VoxelType;
  min = Infinity;
  max = -Infinity;

  constructor(type: VoxelType, length: number) {
    this.type = type;
    this.data = allocate(type, length);
  }

  /** Writes one slice: out = stored * slope + intercept (optionally inverted), widening if needed. */
  writeSlice(offset: number, stored: ArrayLike<number>, slope: number, intercept: number, invertAround?: number): void {
    const n = stored.length;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      let v = stored[i] * slope + intercept;
      if (invertAround !== undefined) v = invertAround - v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const [tmin, tmax] = ranges[this.type];
    const integral = Number.isInteger(slope) && Number.isInteger(intercept) && (invertAround === undefined || Number.isInteger(invertAround));
    if (lo < tmin || hi > tmax || (!integral && this.type !== 'float32')) this.widen();
    const data = this.data;
    for (let i = 0; i < n; i++) {
      let v = stored[i] * slope + intercept;
      if (invertAround !== undefined) v = invertAround - v;
      data[offset + i] = v;
    }
    if (lo < this.min) this.min = lo;
    if (hi > this.max) this.max = hi;
  }

  /** Blank slice (the lowest value seen), for frames that could not be decoded. */
  fillSlice(offset: number, length: number): void {
    this.data.fill(Number.isFinite(this.min) ? this.min : 0, offset, offset + length);
  }

  private widen(): void {
    if (this.type === 'float32') return;
    const wide = allocate('float32', this.data.length);
    wide.set(this.data);
    this.data = wide;
    this.type = 'float32';
  }
}
