// Builds cornerstone volumes from voxels the engine already decoded (we never parse DICOM here).
import { cache, volumeLoader, type Types } from '@cornerstonejs/core';
import type { VolumeInfo, VoxelType } from '../../shared/api';
import { voxelCount } from '../../shared/geometry';
import { initCornerstone } from './init';
import { registerSliceMetadata, unregisterSliceMetadata, volumeMetadata } from './metadata';

const infos = new Map<string, VolumeInfo>();

/** One cornerstone volume per series: reopening a series reuses the cached volume. */
export const volumeIdForSeries = (seriesUid: string): string => `explicare:${seriesUid}`;

/** A view of the engine's buffer (no copy); cornerstone slices it per image with subarray. */
function typedView(type: VoxelType, buffer: ArrayBuffer, count: number): Types.PixelDataTypedArray {
  const bytes = { uint8: 1, int16: 2, uint16: 2, float32: 4 }[type];
  if (buffer.byteLength !== count * bytes) {
    throw new Error(`voxel buffer has ${buffer.byteLength} bytes, expected ${count * bytes} (${count} ${type})`);
  }
  switch (type) {
    case 'uint8':
      return new Uint8Array(buffer);
    case 'int16':
      return new Int16Array(buffer);
    case 'uint16':
      return new Uint16Array(buffer);
    case 'float32':
      return new Float32Array(buffer);
  }
}

export async function createVolumeFromEngine(info: VolumeInfo, voxels: ArrayBuffer): Promise<string> {
  await initCornerstone();
  const volumeId = volumeIdForSeries(info.seriesUid);
  if (cache.getVolume(volumeId)) return volumeId;
  const g = info.geometry;
  const scalarData = typedView(info.voxelType, voxels, voxelCount(g));
  // A 2D image has no slice gap; vtk still needs a positive z spacing.
  const sliceSpacing = g.spacing[2] > 0 ? g.spacing[2] : 1;
  const volume = volumeLoader.createLocalVolume(volumeId, {
    metadata: volumeMetadata(info),
    dimensions: [...g.dimensions],
    spacing: [g.spacing[0], g.spacing[1], sliceSpacing],
    origin: [...g.origin],
    direction: [...g.direction],
    scalarData,
  });
  // createLocalVolume names the slice images itself (`${volumeId}_slice_${k}`): key metadata on them.
  registerSliceMetadata(info, volume.imageIds);
  // The cached slice images carry window 0/0; a stack viewport turns that into the VOI range
  // {0, -1} and builds an inverted transfer function that later windows keep. Give them ours.
  for (const imageId of volume.imageIds) {
    const image = cache.getImage(imageId);
    if (image) Object.assign(image, { windowCenter: info.window.center, windowWidth: info.window.width });
  }
  infos.set(volumeId, info);
  return volumeId;
}

/** The VolumeInfo a volume was built from, for sessions that only get the id. */
export function getVolumeInfo(volumeId: string): VolumeInfo | undefined {
  return infos.get(volumeId);
}

/** Frees the volume and its per-slice images. Destroy the sessions that show it first. */
export function removeVolume(volumeId: string): void {
  const volume = cache.getVolume(volumeId);
  if (!volume) return;
  const imageIds = [...volume.imageIds];
  // The cache only forgets the volume; destroy() also frees its GPU texture now instead of at GC.
  volume.destroy();
  cache.removeVolumeLoadObject(volumeId);
  for (const imageId of imageIds) {
    if (cache.getImageLoadObject(imageId)) cache.removeImageLoadObject(imageId, { force: true });
  }
  unregisterSliceMetadata(imageIds);
  infos.delete(volumeId);
}
