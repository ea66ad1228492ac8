// What the shape rules (shape-rules.ts, op-params.ts) read while ShapeInfo (shapes.ts) is being
// built: an interface of its own, so the rules do not import the class that imports them.
import type { Dim, Shape } from './dims';

export interface ShapeLookup {
  /** Values of small int tensors (rank 0/1), possibly symbolic, inferred so far. */
  readonly values: Map<string, Dim[]>;
  get(name: string): Shape | undefined;
  reshapeTarget(input: Shape | undefined, target: Dim[], allowZero: boolean): Shape;
  /** A constant's or an inferred small tensor's integer values. */
  constIntsOrValues(name: string): Dim[] | undefined;
  constFloats(name: string): number[] | undefined;
}
