// Coarse-to-fine's last step: the voxel maps of one target from the final test, where a refined
// coarse chunk's remaining units are shown whole when they confirm it together (significance.ts).
import { chunksToVoxels, type Partition } from './chunks';
import type { Significance } from './significance';

export interface TargetLevels {
  evidence: Float32Array;
  significant: Float32Array;
  /** Units significant on their own, and refined coarse chunks shown as a whole. */
  significantUnits: number;
  groupsShown: number;
  zThreshold: number;
}

/** The units of the mixed partition inside each refined coarse chunk, in chunk order. */
export function groupsOf(partition: Partition, coarse: Partition, refined: Uint8Array): { chunks: number[]; units: number[][] } {
  const byChunk = new Map<number, Set<number>>();
  for (let v = 0; v < partition.chunkOf.length; v++) {
    const c = coarse.chunkOf[v];
    if (!refined[c]) continue;
    let set = byChunk.get(c);
    if (!set) byChunk.set(c, (set = new Set()));
    set.add(partition.chunkOf[v]);
  }
  const chunks = [...byChunk.keys()].sort((x, y) => x - y);
  return { chunks, units: chunks.map((c) => [...byChunk.get(c)!].sort((x, y) => x - y)) };
}

/** Voxel maps of one target: units significant on their own, and groups' remainders shown whole. */
export function levelsOf(
  partition: Partition,
  test: Significance,
  groups: number[][] = [],
  remainderZ?: Float64Array,
  remainderShown?: Uint8Array,
): TargetLevels {
  const unitValue = Float64Array.from(test.z, (z, u) => (test.significant[u] ? z : 0));
  const unitShown = Uint8Array.from(test.significant);
  let groupsShown = 0;
  let zThreshold = test.zThreshold;
  groups.forEach((g, i) => {
    if (!remainderShown?.[i]) return;
    groupsShown++;
    zThreshold = Math.min(zThreshold, remainderZ![i]);
    for (const u of g)
      if (!unitShown[u]) {
        unitShown[u] = 1;
        unitValue[u] = remainderZ![i];
      }
  });
  return {
    evidence: chunksToVoxels(partition, unitValue),
    significant: chunksToVoxels(partition, unitShown),
    significantUnits: test.significantCount,
    groupsShown,
    zThreshold,
  };
}

