// Blind mutations of a file's bytes (the classic fuzzing operators) plus one structural one that a
// blind fuzzer rarely finds: sequences nested thousands deep, which overflow recursive parsers.
import type { Rng } from '../../main/engine/random';

export interface Mutation {
  bytes: Buffer;
  label: string;
  /** Bytes changed without regard to the structure (the result may be anything). */
  blind?: boolean;
}

/** Start of the data set after a Part-10 meta group (or 0), so structural inserts land in the data set. */
function dataSetStart(b: Buffer): number {
  if (b.length < 144 || b.toString('latin1', 128, 132) !== 'DICM') return 0;
  let at = 132;
  while (at + 8 <= b.length && b.readUInt16LE(at) === 0x0002) {
    const vr = b.toString('latin1', at + 4, at + 6);
    const long = ['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR', 'OF', 'OD', 'OL', 'OV'].includes(vr);
    const length = long ? b.readUInt32LE(at + 8) : b.readUInt16LE(at + 6);
    at += (long ? 12 : 8) + length;
  }
  return Math.min(at, b.length);
}

/** `depth` undefined-length sequences, each in an item of the one before (Explicit VR LE). */
export function nestedSequences(depth: number): Buffer {
  const open = Buffer.alloc(20);
  open.writeUInt16LE(0x0040, 0); // (0040,0275) Request Attributes Sequence
  open.writeUInt16LE(0x0275, 2);
  open.write('SQ', 4, 'latin1');
  open.writeUInt32LE(0xffffffff, 8);
  open.writeUInt16LE(0xfffe, 12); // Item, undefined length
  open.writeUInt16LE(0xe000, 14);
  open.writeUInt32LE(0xffffffff, 16);
  const close = Buffer.alloc(16);
  close.writeUInt16LE(0xfffe, 0); // Item Delimitation
  close.writeUInt16LE(0xe00d, 2);
  close.writeUInt16LE(0xfffe, 8); // Sequence Delimitation
  close.writeUInt16LE(0xe0dd, 10);
  return Buffer.concat([...Array(depth).fill(open), ...Array(depth).fill(close)]);
}

export function mutateBytes(src: Buffer, rng: Rng): Mutation {
  return { ...mutateBlindly(src, rng), blind: true };
}

function mutateBlindly(src: Buffer, rng: Rng): Mutation {
  const b = Buffer.from(src);
  const pos = () => rng.int(0, Math.max(0, b.length - 1));
  switch (rng.int(0, 7)) {
    case 0: {
      const n = rng.int(1, 16);
      for (let i = 0; i < n; i++) b[pos()] ^= 1 << rng.int(0, 7);
      return { bytes: b, label: `flip ${n} bits` };
    }
    case 1: {
      const n = rng.int(1, 8);
      for (let i = 0; i < n; i++) b[pos()] = [0x00, 0xff, 0x7f, 0x80, rng.int(0, 255)][rng.int(0, 4)];
      return { bytes: b, label: `set ${n} bytes` };
    }
    case 2: {
      const at = pos();
      return { bytes: b.subarray(0, at), label: `truncate at ${at}` };
    }
    case 3: {
      const at = pos();
      const n = rng.int(1, 64);
      b.fill(rng.next() < 0.5 ? 0 : 0xff, at, Math.min(b.length, at + n));
      return { bytes: b, label: `fill ${n} bytes at ${at}` };
    }
    case 4: {
      // A 32-bit field somewhere set to a huge value: lengths and counts are what parsers trust.
      const at = Math.min(pos(), b.length - 4);
      if (at >= 0) b.writeUInt32LE([0xffffffff, 0x7fffffff, 0xfffffff0, rng.int(0, 0xffffffff) >>> 0][rng.int(0, 3)], at);
      return { bytes: b, label: `u32 at ${at}` };
    }
    case 5: {
      const at = pos();
      const n = rng.int(1, 256);
      const junk = Buffer.from(Array.from({ length: n }, () => rng.int(0, 255)));
      return { bytes: Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]), label: `insert ${n} bytes at ${at}` };
    }
    case 6: {
      const at = pos();
      const n = rng.int(1, 512);
      return { bytes: Buffer.concat([b.subarray(0, at), b.subarray(at + n)]), label: `delete ${n} bytes at ${at}` };
    }
    default: {
      const depth = [50, 500, 3000, 20000][rng.int(0, 3)];
      const at = dataSetStart(b);
      return { bytes: Buffer.concat([b.subarray(0, at), nestedSequences(depth), b.subarray(at)]), label: `sequences nested ${depth} deep` };
    }
  }
}
