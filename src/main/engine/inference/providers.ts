// Which execution providers to try, in which order, for a user's preference on this platform.
// ONNX Runtime refuses a provider it cannot start instead of falling back, so the worker tries
// them in turn and keeps every reason; CPU always ends the list.
import type { ExecutionProvider, ProviderPreference } from '../../../shared/executionProviders';

export interface ProviderPlan {
  /** Providers to try, in order, ending with 'cpu'. */
  order: ExecutionProvider[];
  /** Providers left out, with why (shown beside the provider that ran). */
  skipped: string[];
}

/** The platform's GPU providers in order of preference when the user leaves it to Explicare. */
function automaticOrder(platform: NodeJS.Platform): ExecutionProvider[] {
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu'];
  if (platform === 'darwin') return ['coreml', 'webgpu'];
  // Linux: WebGPU needs Vulkan and is experimental in ONNX Runtime there; it is tried only when chosen.
  return ['cuda'];
}

/**
 * `available`: what this onnxruntime-node binary supports (listSupportedBackends, plus 'cuda' only
 * when its provider library is installed).
 */
export function planProviders(preference: ProviderPreference, platform: NodeJS.Platform, available: ReadonlySet<string>): ProviderPlan {
  const wanted: ExecutionProvider[] = preference === 'auto' ? automaticOrder(platform) : preference === 'cpu' ? [] : [preference];
  const order: ExecutionProvider[] = [];
  const skipped: string[] = [];
  for (const p of wanted) {
    if (available.has(p)) order.push(p);
    else skipped.push(p === 'cuda' ? 'CUDA: the CUDA provider of ONNX Runtime is not installed' : `${p}: not in this ONNX Runtime build for ${platform}`);
  }
  if (preference === 'auto' && platform === 'linux' && available.has('webgpu'))
    skipped.push('webgpu: experimental on Linux, used only when chosen in settings');
  order.push('cpu');
  return { order, skipped };
}
