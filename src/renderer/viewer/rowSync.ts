// Keeps the rows of a comparison (one ViewerSession per explanation method) on the same view:
// viewports showing the same plane share their camera (slice, zoom, pan) and every viewport
// shares the window/level, through cornerstone's synchronizers. Scrolling one scrolls all.
import { SynchronizerManager, synchronizers } from '@cornerstonejs/tools';
import type { ViewerSession } from './viewerSession';

let count = 0;

/** Links the sessions' viewports column by column; returns the function that unlinks them. */
export function synchronizeRows(sessions: readonly ViewerSession[]): () => void {
  const ids: string[] = [];
  const n = ++count;
  const columns = Math.max(0, ...sessions.map((s) => s.viewportIds.length));
  if (sessions.length > 1) {
    for (let c = 0; c < columns; c++) {
      const id = `explicare-rows-${n}-camera-${c}`;
      const sync = synchronizers.createCameraPositionSynchronizer(id);
      for (const s of sessions) {
        const ref = s.viewportRefs()[c];
        if (ref) sync.add(ref);
      }
      ids.push(id);
    }
  }
  const voiId = `explicare-rows-${n}-voi`;
  const voi = synchronizers.createVOISynchronizer(voiId, { syncInvertState: false, syncColormap: false });
  for (const s of sessions) for (const ref of s.viewportRefs()) voi.add(ref);
  ids.push(voiId);
  return () => {
    for (const id of ids) SynchronizerManager.destroySynchronizer(id);
  };
}
