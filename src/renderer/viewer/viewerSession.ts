// One open series on screen: its viewports on the shared RenderingEngine, its tool group, and the
// small API the Vue layer and the e2e tests use. No Vue in here.
//
//   volume (CT/MR): ORTHOGRAPHIC volume viewports axial, sagittal, coronal (or axial only when given
//                   one element), linked by crosshairs.
//   image (DX/CR):  one STACK viewport showing the single slice image that createLocalVolume cached.
//                   Not a 1-slice volume viewport: volume viewports upload a 3D texture, and
//                   MAX_3D_TEXTURE_SIZE is 2048 on ANGLE/D3D11 (Windows) and SwiftShader, so a
//                   1935x2400 cephalogram renders black there (glTexStorage3D: size greater than
//                   max texture size). Stack viewports use a 2D texture (8192+). The stack viewport
//                   shows the image as acquired (columns right, rows down) and the Length tool gets
//                   mm from the imagePlaneModule pixel spacing.
import {
  Enums,
  StackViewport,
  VolumeViewport,
  cache,
  eventTarget,
  setVolumesForViewports,
  utilities as csUtils,
  type RenderingEngine,
} from '@cornerstonejs/core';
import { annotation, Enums as ToolEnums, ToolGroupManager, type Types as ToolTypes } from '@cornerstonejs/tools';
import type { VolumeInfo } from '../../shared/api';
import { axis, dot, patientToIndex, type Vec3 } from '../../shared/geometry';
import { AXIS_NAMES, slicePositionMm } from '../../shared/sliceLabel';
import { frameOfReferenceOf } from './metadata';
import type { ViewCamera } from './viewportGeometry';
import { sharedRenderingEngine } from './renderingEngine';
import { LENGTH_TOOL_NAME, TOOL_NAMES, createViewerToolGroup, switchPrimaryTool, type ViewerTool } from './toolGroup';
import { getVolumeInfo } from './volume';

export type { ViewerTool } from './toolGroup';

export interface SliceInfo {
  /** 0-based slice index along the view normal, as cornerstone counts it. */
  index: number;
  count: number;
  /** Position of the shown plane along its dominant patient axis, mm (axial: z, sagittal: x, coronal: y). */
  positionMm: number;
  /**
   * Slice k of the engine's volume (sopInstanceUids[k], getTags index) when the view is parallel
   * to the acquired slices; null for the other planes. cornerstone's `index` counts differently
   * (axial: 0 is the most superior slice).
   */
  acquiredSlice: number | null;
  /**
   * The shown plane in the one numbering of viewer, tag panel and PDF (shared/sliceLabel.ts): its
   * index along the voxel axis it crosses (k for acquired slices, i or j across them), that axis'
   * size, and its position on the patient axis it crosses. null for an oblique plane.
   */
  voxel: { unit: 'slice' | 'column' | 'row'; index: number; count: number; axis: 'x' | 'y' | 'z'; positionMm: number } | null;
}

export interface WindowLevel {
  center: number;
  width: number;
}

const MPR = [
  { name: 'axial', orientation: Enums.OrientationAxis.AXIAL, color: 'rgb(200, 0, 0)' },
  { name: 'sagittal', orientation: Enums.OrientationAxis.SAGITTAL, color: 'rgb(200, 200, 0)' },
  { name: 'coronal', orientation: Enums.OrientationAxis.CORONAL, color: 'rgb(0, 200, 0)' },
] as const;

export type PlaneName = (typeof MPR)[number]['name'];
export const PLANES: readonly PlaneName[] = MPR.map((p) => p.name);

let sessionCount = 0;
const planeOf = (viewportId: string) => viewportId.slice(viewportId.lastIndexOf('-') + 1);

function waitForEvent(target: EventTarget, type: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      target.removeEventListener(type, done);
      resolve();
    };
    // A viewport that is not visible may never render: do not hang the caller.
    const timer = setTimeout(done, timeoutMs);
    target.addEventListener(type, done);
  });
}

export class ViewerSession {
  private activeTool: ViewerTool = 'windowLevel';
  private readonly callbacks = new Set<() => void>();
  private readonly cleanups: (() => void)[] = [];
  private pendingFrame = 0;
  private destroyed = false;

  private constructor(
    readonly info: VolumeInfo,
    readonly volumeId: string,
    private readonly engine: RenderingEngine,
    readonly viewportIds: readonly string[],
    private readonly elements: readonly HTMLDivElement[],
    private readonly group: ToolTypes.IToolGroup,
  ) {
    this.listen();
  }

  /**
   * Mounts a volume made by createVolumeFromEngine. kind 'volume': one element per plane of
   * `planes` (default axial, sagittal, coronal); kind 'image': the first element only.
   */
  static async create(elements: readonly HTMLDivElement[], volumeId: string, planes: readonly PlaneName[] = PLANES): Promise<ViewerSession> {
    const info = getVolumeInfo(volumeId);
    const volume = cache.getVolume(volumeId);
    if (!info || !volume) throw new Error(`unknown volume ${volumeId}: create it with createVolumeFromEngine`);
    const isImage = info.kind === 'image';
    if (elements.length < (isImage ? 1 : planes.length)) throw new Error(`a viewer of ${planes.join(', ')} needs ${planes.length} elements`);
    const n = ++sessionCount;
    const engine = sharedRenderingEngine();
    const views = isImage ? [{ name: 'image', orientation: undefined, color: '' }] : planes.map((name) => MPR.find((p) => p.name === name)!);
    const used = elements.slice(0, views.length);
    const viewportIds = views.map((v) => `explicare-${n}-${v.name}`);
    const background: [number, number, number] = [0, 0, 0];
    // enableElement, not setViewports: setViewports would replace the other sessions' viewports.
    views.forEach((v, i) =>
      engine.enableElement({
        viewportId: viewportIds[i],
        element: used[i],
        type: isImage ? Enums.ViewportType.STACK : Enums.ViewportType.ORTHOGRAPHIC,
        defaultOptions: v.orientation ? { orientation: v.orientation, background } : { background },
      }),
    );
    try {
      if (isImage) {
        const vp = engine.getViewport(viewportIds[0]);
        if (!(vp instanceof StackViewport)) throw new Error('expected a stack viewport');
        await vp.setStack([...volume.imageIds], 0);
      } else {
        await setVolumesForViewports(engine, [{ volumeId }], viewportIds);
      }
    } catch (err) {
      for (const id of viewportIds) engine.disableElement(id);
      throw err;
    }
    const group = createViewerToolGroup({
      id: `explicare-tools-${n}`,
      renderingEngineId: engine.id,
      viewportIds,
      crosshairs: views.length > 1,
      colors: Object.fromEntries(views.map((v, i) => [viewportIds[i], v.color])),
    });
    const session = new ViewerSession(info, volumeId, engine, viewportIds, used, group);
    session.setWindow(info.window.center, info.window.width);
    return session;
  }

  private viewport(index: number): VolumeViewport | StackViewport {
    const id = this.viewportIds[index];
    const vp = id === undefined ? undefined : this.engine.getViewport(id);
    if (!(vp instanceof VolumeViewport || vp instanceof StackViewport)) throw new Error(`no viewport ${index}`);
    return vp;
  }

  private get viewports(): (VolumeViewport | StackViewport)[] {
    return this.viewportIds.map((_, i) => this.viewport(i));
  }

  /** Camera, VOI and annotation events, coalesced to one callback round per animation frame. */
  private listen(): void {
    const notify = () => {
      if (this.pendingFrame || this.callbacks.size === 0) return;
      this.pendingFrame = requestAnimationFrame(() => {
        this.pendingFrame = 0;
        for (const cb of this.callbacks) cb();
      });
    };
    // Tests wait on this instead of sleeping: when the viewport last finished a render.
    const rendered = (evt: Event) => ((evt.currentTarget as HTMLElement).dataset.renderedAt = String(performance.now()));
    for (const el of this.elements) {
      for (const type of [Enums.Events.CAMERA_MODIFIED, Enums.Events.VOI_MODIFIED]) {
        el.addEventListener(type, notify);
        this.cleanups.push(() => el.removeEventListener(type, notify));
      }
      el.addEventListener(Enums.Events.IMAGE_RENDERED, rendered);
      this.cleanups.push(() => el.removeEventListener(Enums.Events.IMAGE_RENDERED, rendered));
    }
    const forUid = frameOfReferenceOf(this.info);
    const onAnnotation = (evt: Event) => {
      const detail = (evt as CustomEvent<{ annotation?: { metadata?: { FrameOfReferenceUID?: string } } }>).detail;
      const uid = detail?.annotation?.metadata?.FrameOfReferenceUID;
      if (uid === undefined || uid === forUid) notify();
    };
    const { Events } = ToolEnums;
    for (const type of [
      Events.ANNOTATION_ADDED,
      Events.ANNOTATION_MODIFIED,
      Events.ANNOTATION_COMPLETED,
      Events.ANNOTATION_REMOVED,
    ]) {
      eventTarget.addEventListener(type, onAnnotation);
      this.cleanups.push(() => eventTarget.removeEventListener(type, onAnnotation));
    }
  }

  /** Subscribes to slice/zoom/pan/window/measurement changes; returns the unsubscribe function. */
  onChange(cb: () => void): () => void {
    this.callbacks.add(cb);
    return () => this.callbacks.delete(cb);
  }

  get kind(): VolumeInfo['kind'] {
    return this.info.kind;
  }

  getActiveTool(): ViewerTool {
    return this.activeTool;
  }

  /** Chooses the left-button tool. 'crosshairs' exists only for the three CT views. */
  setActiveTool(tool: ViewerTool): void {
    switchPrimaryTool(this.group, this.activeTool, tool);
    this.activeTool = tool;
  }

  hasCrosshairs(): boolean {
    return this.group.hasTool(TOOL_NAMES.crosshairs);
  }

  /** Window in stored units (HU for CT), applied to every viewport. */
  setWindow(center: number, width: number): void {
    const voiRange = csUtils.windowLevel.toLowHighRange(Math.max(width, 1), center);
    for (const vp of this.viewports) {
      vp.setProperties({ voiRange });
      vp.render();
    }
  }

  getWindow(): WindowLevel {
    const range = this.viewport(0).getProperties()?.voiRange;
    if (!range) return { ...this.info.window };
    const { windowCenter, windowWidth } = csUtils.windowLevel.toWindowLevel(range.lower, range.upper);
    return { center: windowCenter, width: windowWidth };
  }

  /** Moves viewport `index` by `delta` slices (positive: cornerstone's next slice). */
  scroll(index: number, delta: number): void {
    this.viewport(index).scroll(delta);
  }

  getSliceIndex(index: number): SliceInfo {
    const vp = this.viewport(index);
    const { focalPoint, viewPlaneNormal } = vp.getCamera();
    const n = viewPlaneNormal as Vec3;
    const dominant = n.reduce((best, c, i) => (Math.abs(c) > Math.abs(n[best]) ? i : best), 0);
    const positionMm = (Math.sign(n[dominant]) || 1) * dot(focalPoint as Vec3, n);
    const g = this.info.geometry;
    if (vp instanceof StackViewport) {
      const k = vp.getCurrentImageIdIndex();
      return {
        index: k,
        count: vp.getImageIds().length,
        positionMm,
        acquiredSlice: k,
        voxel: { unit: 'slice', index: k, count: g.dimensions[2], ...slicePositionMm(g, k) },
      };
    }
    const ijk = patientToIndex(g, focalPoint as Vec3);
    // The voxel axis this plane crosses (k: the acquired slices); none for an oblique plane.
    const crossed = ([0, 1, 2] as const).find((a) => Math.abs(dot(axis(g.direction, a), n)) > 0.999);
    const at = (a: 0 | 1 | 2) => Math.min(Math.max(Math.round(ijk[a]), 0), g.dimensions[a] - 1);
    const k = at(2);
    let voxel: SliceInfo['voxel'] = null;
    if (crossed === 2) voxel = { unit: 'slice', index: k, count: g.dimensions[2], ...slicePositionMm(g, k) };
    else if (crossed !== undefined)
      voxel = {
        unit: crossed === 0 ? 'column' : 'row',
        index: at(crossed),
        count: g.dimensions[crossed],
        axis: AXIS_NAMES[dominant as 0 | 1 | 2],
        positionMm: (focalPoint as Vec3)[dominant],
      };
    return {
      index: vp.getSliceIndex() ?? 0,
      count: vp.getNumberOfSlices() ?? 1,
      positionMm,
      acquiredSlice: crossed === 2 ? k : null,
      voxel,
    };
  }

  /** The viewports as cornerstone identifies them (for synchronizers across sessions). */
  viewportRefs(): { renderingEngineId: string; viewportId: string }[] {
    return this.viewportIds.map((viewportId) => ({ renderingEngineId: this.engine.id, viewportId }));
  }

  /** Each viewport's focal point by plane name ('axial', ...; 'image' for X-rays). */
  planeFocus(): Record<string, Vec3> {
    return Object.fromEntries(this.viewportIds.map((id, i) => [planeOf(id), this.viewport(i).getCamera().focalPoint as Vec3]));
  }

  /**
   * Moves each volume viewport's plane through the point saved for its plane name (else through
   * the first saved point), along its own normal: zoom and pan kept. Used to keep the slices when
   * the layout is rebuilt.
   */
  restoreFocus(focus: Record<string, Vec3>): void {
    const fallback = Object.values(focus)[0];
    this.viewportIds.forEach((id, i) => {
      const vp = this.viewport(i);
      const world = focus[planeOf(id)] ?? fallback;
      if (!(vp instanceof VolumeViewport) || !world) return;
      const { focalPoint, position, viewPlaneNormal } = vp.getCamera();
      const n = viewPlaneNormal as Vec3;
      const f = focalPoint as Vec3;
      const d = dot([world[0] - f[0], world[1] - f[1], world[2] - f[2]], n);
      const shift = (p: Vec3): Vec3 => [p[0] + d * n[0], p[1] + d * n[1], p[2] + d * n[2]];
      vp.setCamera({ focalPoint: shift(f), position: shift(position as Vec3) });
      vp.render();
    });
  }

  /** Back to the initial camera (centre slice, fit to view) and the series' default window. */
  reset(): void {
    for (const vp of this.viewports) {
      vp.resetCamera();
      if (vp instanceof VolumeViewport) vp.resetSlabThickness();
    }
    this.setWindow(this.info.window.center, this.info.window.width);
  }

  /** Call after the elements changed size (cornerstone does not observe them itself); resizes all sessions. */
  resize(): void {
    this.engine.resize(true, true);
  }

  /** Patient coordinates (mm, LPS) under a canvas point (CSS pixels from the element's top left). */
  worldAt(index: number, canvasX: number, canvasY: number): Vec3 {
    const p = this.viewport(index).canvasToWorld([canvasX, canvasY]);
    return [p[0], p[1], p[2]];
  }

  /** The camera of viewport `index` as the corner annotations read it (orientation, mm per pixel). */
  camera(index: number): ViewCamera {
    const c = this.viewport(index).getCamera();
    return {
      viewUp: c.viewUp as Vec3,
      viewPlaneNormal: c.viewPlaneNormal as Vec3,
      parallelScale: c.parallelScale ?? 1,
      heightPx: this.elements[index]?.clientHeight ?? 1,
    };
  }

  /** Canvas point (CSS pixels) where a patient point projects in viewport `index`. */
  canvasOf(index: number, world: Vec3): [number, number] {
    const c = this.viewport(index).worldToCanvas(world);
    return [c[0], c[1]];
  }

  /**
   * Lengths of this series' Length annotations, in annotation order. World coordinates are
   * patient mm (built from the voxel spacing), so the handle distance is the length in mm.
   */
  getLengthMeasurementsMm(): number[] {
    const list = annotation.state.getAnnotations(LENGTH_TOOL_NAME, frameOfReferenceOf(this.info)) ?? [];
    return list.flatMap((a) => {
      const points = a.data?.handles?.points;
      if (!points || points.length < 2) return [];
      const [p, q] = points;
      return [Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2])];
    });
  }

  /** Removes the Length annotations of this series. */
  clearMeasurements(): void {
    annotation.state.removeAnnotations(LENGTH_TOOL_NAME, frameOfReferenceOf(this.info));
    this.engine.renderViewports([...this.viewportIds]);
  }

  /**
   * Renders and resolves once every viewport reported IMAGE_RENDERED, twice: the first frame after
   * a property change can still show the old state in headless WebGL, so screenshots wait for two.
   */
  async renderAndWait(timeoutMs = 3000): Promise<void> {
    for (let pass = 0; pass < 2; pass++) {
      const rendered = Promise.all(
        this.elements.map((el) => waitForEvent(el, Enums.Events.IMAGE_RENDERED, timeoutMs)),
      );
      this.engine.renderViewports([...this.viewportIds]);
      await rendered;
    }
  }

  /** Removes this session's viewports and tools; the volume stays cached (removeVolume frees it). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.pendingFrame) cancelAnimationFrame(this.pendingFrame);
    this.callbacks.clear();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    annotation.state.removeAnnotations(LENGTH_TOOL_NAME, frameOfReferenceOf(this.info));
    if (this.group.hasTool(TOOL_NAMES.crosshairs)) this.group.setToolDisabled(TOOL_NAMES.crosshairs);
    this.group.removeViewports(this.engine.id);
    ToolGroupManager.destroyToolGroup(this.group.id);
    for (const id of this.viewportIds) this.engine.disableElement(id);
  }
}
