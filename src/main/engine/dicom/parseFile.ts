/**
 * Parse a DICOM file (Part-10 or bare data set) into a dicom-parser DataSet,
 * turning every failure into a DicomInputError with a user-facing reason.
 */
import { inflateRawSync } from 'node:zlib';
import dicomParser, { type DataSet, type Element } from './dicomParserLib';
import { DicomInputError, describeThrown } from './errors';
import { sniffTransferSyntax, startsWithMetaGroup, transferSyntaxElement } from './sniff';
import { TS, transferSyntaxName } from './transferSyntax';
import { formatTag } from './tags';
import { dataSetStart, describeTooDeep, tooDeeplyNested } from './sequenceDepth';

export { DicomInputError } from './errors';

export interface ParseOptions {
  /** Stop at the Pixel Data element (its value is not walked): enough for headers and series grouping. */
  untilPixelData?: boolean;
}

export interface ParsedDicom {
  /** dicom-parser data set; for deflated files its byteArray is the inflated data. */
  dataSet: DataSet;
  transferSyntaxUid: string;
  /** False when parsed with untilPixelData: encapsulated fragments have not been indexed. */
  pixelDataParsed: boolean;
  /** True when the file had no preamble/meta header or lacked a Transfer Syntax UID and it was inferred. */
  transferSyntaxInferred: boolean;
  warnings: string[];
}

const PREAMBLE_LENGTH = 128;
const PIXEL_DATA = 'x7fe00010';

export function parseDicom(buffer: Buffer, opts: ParseOptions = {}): ParsedDicom {
  if (buffer.length === 0) throw new DicomInputError('empty file (0 bytes)');
  refuseDeepNesting(buffer);
  try {
    return parseChecked(buffer, opts);
  } catch (err) {
    // Last resort for encodings the depth walk does not follow (deflated, big endian).
    if (err instanceof RangeError && /call stack/i.test(err.message)) throw new DicomInputError('sequences nested too deeply to read');
    throw err;
  }
}

/** Refuses, before dicom-parser recurses into them, sequences nested deeper than real objects ever are. */
function refuseDeepNesting(buffer: Buffer): void {
  const { start, transferSyntaxUid: declared } = dataSetStart(buffer);
  const sniffed = sniffTransferSyntax(buffer, start);
  if (declared === TS.explicitBig || declared === TS.deflatedExplicitLittle || sniffed === TS.explicitBig || (!declared && !sniffed)) return;
  // The data set's own encoding wins over the meta header's (a known writer bug: see normalizeToPart10).
  const explicit = sniffed ? sniffed !== TS.implicitLittle : declared !== TS.implicitLittle;
  const found = tooDeeplyNested(buffer, start, explicit);
  if (found) throw new DicomInputError(describeTooDeep(found));
}

function parseChecked(buffer: Buffer, opts: ParseOptions): ParsedDicom {
  const { bytes, inferred } = normalizeToPart10(buffer);
  const transferSyntaxUid = readMetaTransferSyntax(bytes);
  // Unknown UIDs are walked as Explicit VR LE (what nearly all private ones are); decodeFrame refuses their pixels.

  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, {
      untilTag: opts.untilPixelData ? PIXEL_DATA : undefined,
      inflater: transferSyntaxUid === TS.deflatedExplicitLittle ? inflate : undefined,
    });
  } catch (thrown) {
    throw explainParseFailure(thrown, bytes);
  }
  checkNotTruncated(dataSet);
  return {
    dataSet,
    transferSyntaxUid,
    pixelDataParsed: !opts.untilPixelData,
    transferSyntaxInferred: inferred,
    warnings: [...dataSet.warnings],
  };
}

/** dicom-parser's own Node inflater needs the whole file as a Buffer; doing it here also lets us word the error. */
function inflate(bytes: Uint8Array, position: number): Buffer {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, position);
  try {
    const body = inflateRawSync(Buffer.from(bytes.buffer, bytes.byteOffset + position, bytes.length - position));
    return Buffer.concat([head, body]);
  } catch (e) {
    throw new DicomInputError('corrupt deflated data set (cannot inflate)', describeThrown(e));
  }
}

/**
 * Give dicom-parser a Part-10 layout with a Transfer Syntax UID it can read:
 * files without preamble or meta, or with a meta header lacking (0002,0010),
 * are copied behind a synthetic preamble with the sniffed transfer syntax.
 */
function normalizeToPart10(buffer: Buffer): { bytes: Buffer; inferred: boolean } {
  const hasPrefix = buffer.length >= 132 && buffer.toString('latin1', PREAMBLE_LENGTH, 132) === 'DICM';
  const preamble = Buffer.alloc(PREAMBLE_LENGTH + 4);
  preamble.write('DICM', PREAMBLE_LENGTH, 'latin1');

  if (!hasPrefix) {
    if (startsWithMetaGroup(buffer, 0)) {
      return normalizeToPart10(Buffer.concat([preamble, buffer]));
    }
    const ts = sniffTransferSyntax(buffer, 0);
    if (!ts) throw new DicomInputError('not a DICOM file (no DICM prefix and no valid data elements)');
    return { bytes: Buffer.concat([preamble, transferSyntaxElement(ts), buffer]), inferred: true };
  }

  let meta: DataSet;
  try {
    meta = dicomParser.readPart10Header(buffer);
  } catch (thrown) {
    throw explainParseFailure(thrown, buffer);
  }
  checkNotTruncated(meta); // readPart10Header silently stops at the end of a cut meta header
  const dataStart = (meta as DataSet & { position: number }).position;
  const declared = metaTransferSyntax(meta);
  const sniffed = sniffTransferSyntax(buffer, dataStart);
  if (declared && !contradicts(declared, sniffed)) return { bytes: buffer, inferred: false };
  if (!sniffed) throw new DicomInputError('no transfer syntax in file meta header and the data set encoding is not recognisable');
  if (declared && declared !== TS.explicitLittle && declared !== TS.implicitLittle) {
    throw new DicomInputError(
      `data set is encoded as ${transferSyntaxName(sniffed)} but the file meta header says ${transferSyntaxName(declared)}`,
    );
  }
  // Missing or wrong VR encoding in the meta header (a known writer bug): a later (0002,0010) overrides the first.
  const bytes = Buffer.concat([buffer.subarray(0, dataStart), transferSyntaxElement(sniffed), buffer.subarray(dataStart)]);
  return { bytes, inferred: true };
}

/** Explicit vs implicit VR disagreement between the meta header and the first data element (deflated data cannot be sniffed). */
function contradicts(declared: string, sniffed: string | undefined): boolean {
  if (declared === TS.deflatedExplicitLittle || declared === TS.explicitBig || !sniffed) return false;
  return (declared === TS.implicitLittle) !== (sniffed === TS.implicitLittle);
}

function readMetaTransferSyntax(bytes: Buffer): string {
  const uid = metaTransferSyntax(dicomParser.readPart10Header(bytes));
  if (!uid) throw new DicomInputError('file meta header has an empty Transfer Syntax UID');
  return uid;
}

function metaTransferSyntax(meta: DataSet): string | undefined {
  const uid = meta.elements.x00020010 ? meta.string('x00020010')?.replace(/\0/g, '').trim() : undefined;
  return uid ? uid : undefined;
}

/** dicom-parser does not notice values that run past the end of the buffer in implicit files, nor with untilTag. */
function checkNotTruncated(dataSet: DataSet): void {
  const end = dataSet.byteArray.length;
  for (const element of Object.values(dataSet.elements)) {
    const lengthKnown = element.length !== 0xffffffff;
    if (lengthKnown && element.dataOffset + element.length > end) throw truncatedInside(element);
    for (const fragment of element.fragments ?? []) {
      if (fragment.position + fragment.length > end) throw truncatedInside(element);
    }
  }
}

function truncatedInside(element: Element): DicomInputError {
  return new DicomInputError(`truncated: file ends inside element ${formatTag(element.tag)}`);
}

function explainParseFailure(thrown: unknown, bytes: Buffer): DicomInputError {
  if (thrown instanceof DicomInputError) return thrown;
  const detail = describeThrown(thrown);
  const partial = (thrown as { dataSet?: DataSet } | undefined)?.dataSet;
  const last = partial ? lastElement(partial) : undefined;
  const ranOut = /past end of buffer|buffer overrun|maxP ?osition/i.test(detail);
  const end = partial?.byteArray.length ?? bytes.length; // inflated length for deflated files
  if (last && last.dataOffset + (last.hadUndefinedLength ? 0 : last.length) > end) {
    return new DicomInputError(`truncated: file ends inside element ${formatTag(last.tag)}`, detail);
  }
  if (ranOut) {
    // A sequence whose items ran out is the last element read; otherwise the next element's header was cut.
    const where = !last ? 'inside the file meta header'
      : last.items !== undefined ? `inside element ${formatTag(last.tag)}`
      : `inside the element after ${formatTag(last.tag)}`;
    return new DicomInputError(`truncated: file ends ${where}`, detail);
  }
  const after = last ? ` after element ${formatTag(last.tag)}` : '';
  return new DicomInputError(`corrupt DICOM data set (unreadable element${after})`, detail);
}

function lastElement(dataSet: DataSet): Element | undefined {
  let last: Element | undefined;
  for (const element of Object.values(dataSet.elements)) {
    if (!last || element.dataOffset > last.dataOffset) last = element;
  }
  return last;
}
