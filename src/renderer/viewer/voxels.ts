// Typed views of the engine's voxel buffer (no copy).
import type { VoxelType } from '../../shared/api';

export type VoxelArray = Int16Array | Uint16Array | Uint8Array | Float32Array;

export function typedVoxels(type: VoxelType, buffer: ArrayBuffer): VoxelArray {
  switch (type) {
    case 'int16': return new Int16Array(buffer);
    case 'uint16': return new Uint16Array(buffer);
    case 'uint8': return new Uint8Array(buffer);
    case 'float32': return new Float32Array(buffer);
  }
}
