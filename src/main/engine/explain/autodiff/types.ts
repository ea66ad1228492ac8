// Public request/result types of the gradient engine.

export interface GradientRequest {
  /** Graph output (or any tensor) to differentiate. */
  output: string;
  /** Tensors to differentiate with respect to: the graph input and/or intermediate tensors. */
  wrt: string[];
  /** Intermediate tensors to also expose as outputs (e.g. the Grad-CAM activation). */
  keepActivations?: string[];
}

export interface GradientModel {
  /** Serialized ONNX with the backward pass appended. */
  model: Uint8Array;
  /** New graph input, same shape as `output`: score = sum(seed * output). */
  seedInput: string;
  /** wrt tensor -> graph output name of d(score)/d(tensor). */
  gradientOutputs: Record<string, string>;
  /** Kept tensor -> graph output name. */
  activationOutputs: Record<string, string>;
}
