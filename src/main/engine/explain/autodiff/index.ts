// Autodiff for ONNX: reverse-mode differentiation appended to ONNX graphs as standard ops, so plain
// ONNX Runtime computes input and activation gradients (saliency, Grad-CAM, integrated gradients).
export type { GradientModel, GradientRequest } from './types';
export { GradientModelError, UnsupportedOpError } from './errors';
export { buildGradientModel } from './build';
export { findCamActivation } from './camActivation';
export { listOps, unsupportedOps } from './ops';
