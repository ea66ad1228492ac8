// One-time cornerstone3D set-up. The renderer never decodes DICOM, so no image loader and no
// web workers are registered: volumes are built from voxels the engine already decoded.
import { init as initCore } from '@cornerstonejs/core';
import {
  init as initTools,
  addTool,
  CrosshairsTool,
  LengthTool,
  PanTool,
  StackScrollTool,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';
import { registerMetadataProvider } from './metadata';

let ready: Promise<void> | null = null;

/** Idempotent: every caller awaits the same promise. */
export function initCornerstone(): Promise<void> {
  ready ??= Promise.resolve().then(() => {
    // One WebGL context per rendering engine instead of the default pool of 7: volume viewports
    // all render in context 0 anyway (one texture per volume), and Chrome drops the oldest context
    // beyond 16 per page, which a second engine with 7 contexts would already approach.
    initCore({ rendering: { webGlContextCount: 1 }, debug: {} });
    initTools();
    // addTool is global (per page); tool groups then reference tools by their toolName.
    for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, CrosshairsTool, LengthTool]) {
      addTool(tool);
    }
    registerMetadataProvider();
  });
  return ready;
}
