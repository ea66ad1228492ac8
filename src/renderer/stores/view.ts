// View state shown around the viewports: tool, window, slices, probe, measurements.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Vec3 } from '../../shared/geometry';
import type { SliceInfo, ViewerTool, WindowLevel } from '../viewer/viewerSession';

export interface Probe {
  viewport: number;
  world: Vec3;
  ijk: Vec3;
  value: number | null; // null outside the volume
}

export const useViewStore = defineStore('view', () => {
  const activeTool = ref<ViewerTool>('windowLevel');
  const window = ref<WindowLevel>({ center: 40, width: 400 });
  const slices = ref<SliceInfo[]>([]);
  const probe = ref<Probe | null>(null);
  const measurementsMm = ref<number[]>([]);
  /** Slice (volume order k) whose tags the tag panel shows. */
  const tagSliceIndex = ref(0);
  const showHelp = ref(false);
  /** Bumped on every camera/VOI change, so overlays drawn in canvas space re-project. */
  const cameraTick = ref(0);
  /** Ground-truth lesion outlines (demo studies) on the viewports. */
  const showLesions = ref(true);
  /** Cine running on the first viewport. */
  const cinePlaying = ref(false);
  return { activeTool, window, slices, probe, measurementsMm, tagSliceIndex, showHelp, cameraTick, showLesions, cinePlaying };
});
