/**
 * The image size a codestream declares, read before any codec runs. Codecs allocate what the
 * codestream says, not what the DICOM header says: a 64 x 64 J2K frame whose SIZ marker claims
 * 16000 x 16000 made OpenJPEG take 1.6 GB and 9 s before the size mismatch surfaced. Comparing the
 * declared size with the header first turns that into an immediate refusal.
 */
import { DicomInputError } from '../../errors';
import { readJpegFrameHeader, startsWithJpegSoi } from './jpegMarkers';

export interface DeclaredSize {
  width: number;
  height: number;
  components: number;
}

/** JPEG 2000 codestream (SOC, then SIZ first, as the standard requires); JP2-wrapped streams are left to the codec. */
function j2kSize(bytes: Uint8Array): DeclaredSize | undefined {
  if (bytes.length < 42 || bytes[0] !== 0xff || bytes[1] !== 0x4f || bytes[2] !== 0xff || bytes[3] !== 0x51) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [xsiz, ysiz, xosiz, yosiz] = [view.getUint32(8), view.getUint32(12), view.getUint32(16), view.getUint32(20)];
  return { width: xsiz - xosiz, height: ysiz - yosiz, components: view.getUint16(40) };
}

export function declaredSize(bytes: Uint8Array): DeclaredSize | undefined {
  if (startsWithJpegSoi(bytes)) {
    const sof = readJpegFrameHeader(bytes);
    // Height 0 means "given later by a DNL marker": nothing to compare yet.
    return sof && sof.height > 0 ? { width: sof.width, height: sof.height, components: sof.components } : undefined;
  }
  return j2kSize(bytes);
}

/** Refuses a codestream whose declared size differs from the header's, before it is decoded. */
export function checkDeclaredSize(codecName: string, bytes: Uint8Array, rows: number, columns: number): void {
  const size = declaredSize(bytes);
  if (!size) return;
  if (size.width <= 0 || size.height <= 0) throw new DicomInputError(`corrupt ${codecName} data: the codestream declares no image area`);
  if (size.width !== columns || size.height !== rows) {
    throw new DicomInputError(`${codecName} frame is ${size.width}x${size.height} but the header says ${columns}x${rows}`);
  }
  if (size.components < 1 || size.components > 4) {
    throw new DicomInputError(`${codecName} frame declares ${size.components} colour components (at most 4 are decoded)`);
  }
}
