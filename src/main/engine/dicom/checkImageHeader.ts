/**
 * Checks what an image header declares before anything is allocated or decoded from it: sizes
 * against the Pixel Data actually present and the memory budget, geometry that must be finite and
 * non-degenerate, rescale values that must be finite. A hostile or broken file is refused here, at
 * scan time, with the attribute named (the scan names the file); what can safely be ignored (a
 * broken window, a broken slice thickness) is dropped with a note instead.
 */
import type { DataSet, Element } from './dicomParserLib';
import type { FrameFunctionalGroups, ImageHeader } from './imageHeader';
import { isNativeTransferSyntax } from './transferSyntax';

/** Largest frame the engine decodes (16384 x 16384): beyond that a declared size is not believed. */
export const MAX_FRAME_PIXELS = 16384 * 16384;
/** Largest coordinate or spacing in mm that is taken as real (the patient is not 10 km wide). */
const MAX_MM = 1e7;
/** Rescale slope/intercept beyond these overflow every voxel type and are never real. */
const MAX_SLOPE = 1e6;
const MAX_INTERCEPT = 1e9;

export interface HeaderCheck {
  /** Why the instance cannot be used, naming the attribute; undefined when it can. */
  refusal?: string;
  /** Values that were dropped (the header passed in is changed accordingly). */
  notes: string[];
}

const fmt = (values: readonly number[]) => values.map((v) => String(v)).join('\\');

function pixelDataElement(ds: DataSet): Element | undefined {
  return ds.elements.x7fe00010 ?? ds.elements.x7fe00008 ?? ds.elements.x7fe00009;
}

/** Bytes one native frame occupies (1-bit frames are packed; YBR_FULL_422 has 2 samples a pixel). */
function nativeFrameBits(h: ImageHeader, pixelData: Element): number {
  const pixels = h.rows * h.columns;
  if (pixelData.tag === 'x7fe00008') return pixels * h.samplesPerPixel * 32;
  if (pixelData.tag === 'x7fe00009') return pixels * h.samplesPerPixel * 64;
  const samples = h.samplesPerPixel === 3 && h.photometricInterpretation === 'YBR_FULL_422' ? pixels * 2 : pixels * h.samplesPerPixel;
  return samples * h.bitsAllocated;
}

function sizeProblem(h: ImageHeader, ds: DataSet): string | undefined {
  if (h.rows === 0) return 'Rows (0028,0010) is 0: an image needs at least one row';
  if (h.columns === 0) return 'Columns (0028,0011) is 0: an image needs at least one column';
  if (h.rows * h.columns > MAX_FRAME_PIXELS)
    return `Rows x Columns (0028,0010/0011) is ${h.rows} x ${h.columns}, above the ${Math.sqrt(MAX_FRAME_PIXELS)} x ${Math.sqrt(MAX_FRAME_PIXELS)} the engine decodes`;
  if (h.samplesPerPixel !== 1 && h.samplesPerPixel !== 3) return `Samples per Pixel (0028,0002) is ${h.samplesPerPixel}: only 1 or 3 are images`;
  const pixelData = pixelDataElement(ds)!;
  if (pixelData.tag === 'x7fe00010' && (h.bitsAllocated === 0 || (h.bitsAllocated !== 1 && h.bitsAllocated % 8 !== 0) || h.bitsAllocated > 32)) {
    return `Bits Allocated (0028,0100) is ${h.bitsAllocated}: expected 1, 8, 16 or 32`;
  }
  if (h.bitsStored === 0 || h.bitsStored > h.bitsAllocated) return `Bits Stored (0028,0101) is ${h.bitsStored} with Bits Allocated ${h.bitsAllocated}`;
  const frames = h.numberOfFrames;
  const encapsulated = !isNativeTransferSyntax(h.transferSyntaxUid) && pixelData.tag === 'x7fe00010';
  if (encapsulated) {
    // Each frame is at least one fragment: more declared frames than fragments cannot be real.
    const fragments = pixelData.fragments?.length;
    if (fragments !== undefined && frames > Math.max(fragments, 1)) {
      return `Number of Frames (0028,0008) is ${frames} but the compressed Pixel Data holds ${fragments} fragment(s)`;
    }
    return undefined;
  }
  const frameBits = nativeFrameBits(h, pixelData);
  const available = Math.min(pixelData.length, ds.byteArray.length - pixelData.dataOffset) * 8;
  if (frameBits > available) {
    return `Pixel Data (7FE0,0010) holds ${Math.floor(available / 8)} bytes but one ${h.columns} x ${h.rows} frame needs ${Math.ceil(frameBits / 8)}`;
  }
  if (frames * frameBits > available) {
    return `Number of Frames (0028,0008) is ${frames} but Pixel Data (7FE0,0010) holds only ${Math.floor(available / frameBits)} frame(s) of ${h.columns} x ${h.rows}`;
  }
  return undefined;
}

function orientationProblem(iop: readonly number[] | undefined, where: string): string | undefined {
  if (!iop) return undefined;
  if (!iop.every(Number.isFinite)) return `Image Orientation (Patient) (0020,0037)${where} is not finite: ${fmt(iop)}`;
  const [r, c] = [iop.slice(0, 3), iop.slice(3, 6)];
  const len = (v: number[]) => Math.hypot(v[0], v[1], v[2]);
  if (len(r) < 1e-3 || len(c) < 1e-3)
    return `Image Orientation (Patient) (0020,0037)${where} has a zero ${len(r) < 1e-3 ? 'row' : 'column'} direction: ${fmt(iop)}`;
  const cos = (r[0] * c[0] + r[1] * c[1] + r[2] * c[2]) / (len(r) * len(c));
  if (Math.abs(cos) > 0.05)
    return `Image Orientation (Patient) (0020,0037)${where}: the row and column directions are ${Math.abs(cos) > 0.999 ? 'parallel' : 'not perpendicular'} (${fmt(iop)})`;
  return undefined;
}

function geometryProblem(
  g: Pick<FrameFunctionalGroups, 'imageOrientationPatient' | 'imagePositionPatient' | 'pixelSpacing' | 'rescaleSlope' | 'rescaleIntercept'>,
  where: string,
  imagerSpacing?: readonly number[],
): string | undefined {
  const orientation = orientationProblem(g.imageOrientationPatient, where);
  if (orientation) return orientation;
  const ipp = g.imagePositionPatient;
  if (ipp && !ipp.every((v) => Number.isFinite(v) && Math.abs(v) <= MAX_MM))
    return `Image Position (Patient) (0020,0032)${where} is not a finite position in mm: ${fmt(ipp)}`;
  for (const [name, tag, s] of [
    ['Pixel Spacing', '0028,0030', g.pixelSpacing],
    ['Imager Pixel Spacing', '0018,1164', imagerSpacing],
  ] as const) {
    if (s && !s.every((v) => Number.isFinite(v) && v > 0 && v <= MAX_MM)) return `${name} (${tag})${where} must be two positive finite numbers, got ${fmt(s)}`;
  }
  if (g.rescaleSlope !== undefined && !(Number.isFinite(g.rescaleSlope) && Math.abs(g.rescaleSlope) <= MAX_SLOPE))
    return `Rescale Slope (0028,1053)${where} is ${g.rescaleSlope}: not a usable finite number`;
  if (g.rescaleIntercept !== undefined && !(Number.isFinite(g.rescaleIntercept) && Math.abs(g.rescaleIntercept) <= MAX_INTERCEPT))
    return `Rescale Intercept (0028,1052)${where} is ${g.rescaleIntercept}: not a usable finite number`;
  return undefined;
}

/** Window and slice thickness only guide display and spacing fallbacks: broken ones are dropped. */
function dropBrokenHints(h: ImageHeader | FrameFunctionalGroups, where: string, notes: string[]): void {
  // A width of 0 is a common way of saying "no window" (the volume then picks its own): not a note.
  const badWindow = (h.windowCenter && !h.windowCenter.every(Number.isFinite)) || (h.windowWidth && !h.windowWidth.every(Number.isFinite));
  if (badWindow) {
    notes.push(`Window Center/Width (0028,1050/1051)${where} ${fmt(h.windowCenter ?? [])}/${fmt(h.windowWidth ?? [])} is not usable: ignored`);
    h.windowCenter = undefined;
    h.windowWidth = undefined;
  }
  if (h.sliceThickness !== undefined && !(Number.isFinite(h.sliceThickness) && h.sliceThickness > 0 && h.sliceThickness <= MAX_MM)) {
    notes.push(`Slice Thickness (0018,0050)${where} ${h.sliceThickness} is not usable: ignored`);
    h.sliceThickness = undefined;
  }
}

/**
 * Attributes whose value, when present but not numbers (e.g. "NaN"), must not silently fall back
 * to a default (an axial orientation, a slope of 1): the file is refused instead.
 */
const MUST_PARSE: [tag: string, name: string][] = [
  ['x00200037', 'Image Orientation (Patient) (0020,0037)'],
  ['x00200032', 'Image Position (Patient) (0020,0032)'],
  ['x00280030', 'Pixel Spacing (0028,0030)'],
  ['x00281053', 'Rescale Slope (0028,1053)'],
  ['x00281052', 'Rescale Intercept (0028,1052)'],
];

function unparsedProblem(ds: DataSet): string | undefined {
  for (const [tag, name] of MUST_PARSE) {
    const e = ds.elements[tag];
    if (!e || e.length === 0 || (e.vr && e.vr !== 'DS')) continue;
    const raw = Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + e.dataOffset, Math.min(e.length, ds.byteArray.length - e.dataOffset))
      .toString('latin1')
      .replace(/[\0 ]+$/, '');
    const numbers = raw.split('\\').every((v) => v.trim() !== '' && !Number.isNaN(Number(v.trim())));
    if (!numbers) return `${name} is present but not numbers: "${raw.slice(0, 64).replace(/[^\x20-\x7e]/g, '?')}"`;
  }
  return undefined;
}

/** Checks an image header (one with Pixel Data) read from `ds`; may drop broken hints from it. */
export function checkImageHeader(h: ImageHeader, ds: DataSet): HeaderCheck {
  const notes: string[] = [];
  const refusal =
    sizeProblem(h, ds) ??
    geometryProblem(h, '', h.imagerPixelSpacing) ??
    unparsedProblem(ds) ??
    h.frames?.map((f, i) => geometryProblem(f, ` of frame ${i + 1}`)).find((p) => p !== undefined);
  if (refusal) return { refusal, notes };
  dropBrokenHints(h, '', notes);
  h.frames?.forEach((f, i) => dropBrokenHints(f, ` of frame ${i + 1}`, notes));
  return { notes: notes.slice(0, 3) };
}
