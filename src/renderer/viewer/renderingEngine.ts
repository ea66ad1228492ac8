// One RenderingEngine for the whole renderer. Sessions add and remove their viewports on it, so
// opening and closing series never creates new WebGL contexts (vtk.js does not release them on
// destroy; Chrome drops the oldest beyond 16 per page) and a volume's texture is uploaded once.
import { RenderingEngine } from '@cornerstonejs/core';

let engine: RenderingEngine | null = null;

export function sharedRenderingEngine(): RenderingEngine {
  engine ??= new RenderingEngine('explicare-engine');
  return engine;
}
