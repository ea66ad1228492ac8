// Checks at import time that model.onnx really has the inputs and outputs its manifest promises.
import type { ModelManifest } from '../../../shared/modelManifest';
import type { LoadedSession } from '../inference/pool';
import { ModelPackageError } from './readPackage';

export function checkSignature(manifest: ModelManifest, session: LoadedSession): void {
  const input = session.inputs.find((i) => i.name === manifest.input.name);
  if (!input) {
    throw new ModelPackageError(`input "${manifest.input.name}" is not in the model (it has: ${session.inputs.map((i) => i.name).join(', ')})`);
  }
  if (!input.type.includes('float32') && input.type !== 'float32') {
    throw new ModelPackageError(`input "${input.name}" is ${input.type}; Explicare feeds float32`);
  }
  if (input.shape.length !== manifest.input.shape.length) {
    throw new ModelPackageError(
      `input "${input.name}" has rank ${input.shape.length} in the model but ${manifest.input.shape.length} (${manifest.input.layout}) in model.json`,
    );
  }
  input.shape.forEach((dim, axis) => {
    // The batch axis may be fixed or dynamic; every other fixed axis must match the manifest.
    if (axis > 0 && typeof dim === 'number' && dim > 0 && dim !== manifest.input.shape[axis]) {
      throw new ModelPackageError(`input "${input.name}" axis ${axis} is ${dim} in the model but ${manifest.input.shape[axis]} in model.json`);
    }
  });
  if (!session.outputs.some((o) => o.name === manifest.output.name)) {
    throw new ModelPackageError(`output "${manifest.output.name}" is not in the model (it has: ${session.outputs.map((o) => o.name).join(', ')})`);
  }
}

/** Largest batch the model accepts: 1 when its batch axis is fixed. */
export function maxBatch(manifest: ModelManifest, session: LoadedSession): number {
  const dim = session.inputs.find((i) => i.name === manifest.input.name)?.shape[0];
  return typeof dim === 'number' && dim > 0 ? dim : Infinity;
}
