// The ONNX Runtime execution providers Explicare can run a model on, what a user may choose, and
// how each is named on screen and in reports. onnxruntime-node's own binaries carry DirectML
// (Windows), CoreML (macOS) and WebGPU (Windows, macOS, Linux x64, experimental); CUDA is a
// separate install on Linux x64.
import { z } from 'zod';

export const EXECUTION_PROVIDERS = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** A user's choice: one provider (CPU as the fallback), or the platform's best in order. */
export const providerPreferenceSchema = z.enum(['auto', ...EXECUTION_PROVIDERS]);
export type ProviderPreference = z.infer<typeof providerPreferenceSchema>;

export const PROVIDER_LABELS: Record<ExecutionProvider, string> = {
  cuda: 'GPU (CUDA)',
  dml: 'GPU (DirectML)',
  coreml: 'CoreML (GPU / Neural Engine)',
  webgpu: 'GPU (WebGPU)',
  cpu: 'CPU',
};
