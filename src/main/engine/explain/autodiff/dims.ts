// Dimensions that may be known, symbolic (a dim_param such as a dynamic batch) or unknown,
// and numpy broadcasting over them.
import type { TypeProto, ValueInfoProto } from 'onnx-buf';

/** A dimension: a size, a symbol (dim_param or a derived name), or unknown. */
export type Dim = number | string | null;
export type Shape = Dim[];

function typeShape(t: TypeProto | undefined): Shape | undefined {
  if (t?.value.case !== 'tensorType' || !t.value.value.shape) return undefined;
  return t.value.value.shape.dim.map((d) =>
    d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null,
  );
}

export function valueInfoShape(v: ValueInfoProto): Shape | undefined {
  return typeShape(v.type);
}

export const prod = (dims: Dim[]): Dim => dims.reduce<Dim>((a, b) => (typeof a === 'number' && typeof b === 'number' ? a * b : null), 1);
export const isNum = (d: Dim): d is number => typeof d === 'number';

export function broadcastShapes(shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + i] ?? 1;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (d !== e) d = isNum(d) ? d : isNum(e) ? e : null;
    }
    out.push(d);
  }
  return out;
}

