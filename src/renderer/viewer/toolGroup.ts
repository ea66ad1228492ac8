// The tool group of one viewer session and the switching of the left-button (primary) tool.
// Fixed bindings: middle = Pan, right = Zoom, wheel = StackScroll; the left button is chosen.
import {
  CrosshairsTool,
  Enums as ToolEnums,
  LengthTool,
  PanTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';

export type ViewerTool = 'windowLevel' | 'pan' | 'zoom' | 'length' | 'crosshairs';

const { MouseBindings } = ToolEnums;

export const TOOL_NAMES: Record<ViewerTool, string> = {
  windowLevel: WindowLevelTool.toolName as string,
  pan: PanTool.toolName as string,
  zoom: ZoomTool.toolName as string,
  length: LengthTool.toolName as string,
  crosshairs: CrosshairsTool.toolName as string,
};
export const LENGTH_TOOL_NAME = TOOL_NAMES.length;

export interface ToolGroupOptions {
  id: string;
  renderingEngineId: string;
  viewportIds: string[];
  /** Crosshairs need at least two viewports of one frame of reference (CT MPR). */
  crosshairs: boolean;
  /** Reference line colour per viewport id. */
  colors?: Record<string, string>;
}

export function createViewerToolGroup(opts: ToolGroupOptions): ToolTypes.IToolGroup {
  ToolGroupManager.destroyToolGroup(opts.id);
  const group = ToolGroupManager.createToolGroup(opts.id);
  if (!group) throw new Error(`could not create tool group ${opts.id}`);
  group.addTool(TOOL_NAMES.windowLevel);
  group.addTool(TOOL_NAMES.pan);
  group.addTool(TOOL_NAMES.zoom);
  group.addTool(StackScrollTool.toolName as string);
  group.addTool(TOOL_NAMES.length);
  if (opts.crosshairs) {
    group.addTool(TOOL_NAMES.crosshairs, {
      getReferenceLineColor: (viewportId: string) => opts.colors?.[viewportId] ?? 'rgb(0, 200, 0)',
      getReferenceLineControllable: () => true,
      getReferenceLineDraggableRotatable: () => true,
      // Slab handles would turn slices into MIP slabs: confusing when reading HU values.
      getReferenceLineSlabThicknessControlsOn: () => false,
    });
  }
  for (const viewportId of opts.viewportIds) group.addViewport(viewportId, opts.renderingEngineId);

  group.setToolActive(StackScrollTool.toolName as string, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
  group.setToolActive(TOOL_NAMES.pan, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(TOOL_NAMES.zoom, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  // Passive: existing measurements stay visible and their handles stay draggable.
  group.setToolPassive(TOOL_NAMES.length);
  group.setToolActive(TOOL_NAMES.windowLevel, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  return group;
}

/** Moves the primary binding from `previous` to `next`; the other buttons keep their tools. */
export function switchPrimaryTool(group: ToolTypes.IToolGroup, previous: ViewerTool, next: ViewerTool): void {
  if (previous === next) return;
  if (next === 'crosshairs' && !group.hasTool(TOOL_NAMES.crosshairs)) {
    throw new Error('crosshairs need the three CT views');
  }
  if (previous === 'crosshairs') {
    // Disabled, not passive: passive crosshair lines would grab left drags meant for other tools.
    group.setToolDisabled(TOOL_NAMES.crosshairs);
  } else {
    // Removes only the primary binding: Pan keeps middle, Zoom keeps right.
    group.setToolPassive(TOOL_NAMES[previous]);
  }
  group.setToolActive(TOOL_NAMES[next], { bindings: [{ mouseButton: MouseBindings.Primary }] });
}
