// The explanation methods the app offers, with the names and one-line descriptions users see.
export const METHODS = [
  { id: 'mupax', label: 'MUPAX', title: 'Perturbation: chunked random masks, rejection by error, inverse-error weights' },
  { id: 'rise', label: 'RISE', title: 'Score when a chunk is kept minus when it is dropped, from MUPAX\'s samples (no extra model runs)' },
  { id: 'regression', label: 'Linear regression', title: 'Least-squares weight of each chunk on the score (LIME/KernelSHAP-style), from MUPAX\'s samples' },
  { id: 'gradcam', label: 'Grad-CAM', title: 'Gradient-weighted class activation map of the target layer' },
  { id: 'gradcampp', label: 'Grad-CAM++', title: 'Grad-CAM with higher-order channel weights' },
  { id: 'ig', label: 'Integrated Gradients', title: 'Path integral of input gradients from a baseline' },
  { id: 'psig', label: 'PS-IG', title: 'Path-sampled IG: expectation over baselines along the path' },
  { id: 'gradient', label: 'Input gradient', title: 'Gradient of the score with respect to the input' },
] as const;

export type MethodId = (typeof METHODS)[number]['id'];

/** The display name of a method id (the id itself for methods this list does not know). */
export const methodLabel = (id: string | undefined): string => METHODS.find((m) => m.id === id)?.label ?? id ?? '';
