/**
 * The attributes the engine needs from one DICOM instance, read once into a
 * plain object. Enhanced multi-frame geometry and rescale come from the
 * functional group sequences when the classic attributes are absent.
 */
import type { DataSet } from './dicomParserLib';
import { getFirstItem, getFixedNumbers, getNumber, getNumbers, getSequenceItems, getString, getText, getUid } from './tags';

export type Vec2 = [number, number];
export type Vec3 = [number, number, number];
export type Vec6 = [number, number, number, number, number, number];

/** Per-frame values from Shared + Per-frame Functional Groups (per-frame wins). */
export interface FrameFunctionalGroups {
  imagePositionPatient?: Vec3;
  imageOrientationPatient?: Vec6;
  pixelSpacing?: Vec2;
  sliceThickness?: number;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  rescaleType?: string;
  windowCenter?: number[];
  windowWidth?: number[];
}

export interface ImageHeader {
  transferSyntaxUid: string;
  sopClassUid?: string;
  sopInstanceUid?: string;
  seriesUid?: string;
  studyUid?: string;
  frameOfReferenceUid?: string;
  patientName?: string;
  patientId?: string;
  studyDate?: string;
  studyDescription?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  modality?: string;
  /** False for SR, DICOMDIR, presentation states, ...: rows/columns are then 0. */
  hasPixelData: boolean;
  rows: number;
  columns: number;
  numberOfFrames: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: 0 | 1;
  samplesPerPixel: number;
  photometricInterpretation: string;
  planarConfiguration: 0 | 1;
  /** Classic attribute, else the shared functional group's; 1 and 0 when neither is present. */
  rescaleSlope: number;
  rescaleIntercept: number;
  rescaleType?: string;
  windowCenter?: number[];
  windowWidth?: number[];
  pixelSpacing?: Vec2;
  imagerPixelSpacing?: Vec2;
  imageOrientationPatient?: Vec6;
  imagePositionPatient?: Vec3;
  sliceThickness?: number;
  /** One entry per frame when the file has functional group sequences (enhanced multi-frame). */
  frames?: FrameFunctionalGroups[];
  isDicomdir: boolean;
  /** Values the scan's checks dropped as unusable (shown to the user as warnings with the file name). */
  notes?: string[];
}

const DICOMDIR_SOP_CLASS = '1.2.840.10008.1.3.10';

export function readImageHeader(ds: DataSet): ImageHeader {
  const charset = getString(ds, 'x00080005');
  const frames = readFunctionalGroups(ds);
  const shared = frames?.[0];
  const bitsAllocated = getNumber(ds, 'x00280100', 'US') ?? 0;
  const bitsStored = getNumber(ds, 'x00280101', 'US') ?? bitsAllocated;
  const mediaSopClass = getUid(ds, 'x00020002');
  const sopClassUid = getUid(ds, 'x00080016') ?? mediaSopClass;

  return {
    transferSyntaxUid: getUid(ds, 'x00020010') ?? '1.2.840.10008.1.2',
    sopClassUid,
    sopInstanceUid: getUid(ds, 'x00080018') ?? getUid(ds, 'x00020003'),
    seriesUid: getUid(ds, 'x0020000e'),
    studyUid: getUid(ds, 'x0020000d'),
    frameOfReferenceUid: getUid(ds, 'x00200052'),
    patientName: getText(ds, 'x00100010', charset),
    patientId: getText(ds, 'x00100020', charset),
    studyDate: getString(ds, 'x00080020'),
    studyDescription: getText(ds, 'x00081030', charset),
    seriesDescription: getText(ds, 'x0008103e', charset),
    seriesNumber: getNumber(ds, 'x00200011', 'IS'),
    instanceNumber: getNumber(ds, 'x00200013', 'IS'),
    modality: getString(ds, 'x00080060'),
    hasPixelData: ds.elements.x7fe00010 !== undefined || ds.elements.x7fe00008 !== undefined || ds.elements.x7fe00009 !== undefined,
    rows: getNumber(ds, 'x00280010', 'US') ?? 0,
    columns: getNumber(ds, 'x00280011', 'US') ?? 0,
    numberOfFrames: Math.max(1, getNumber(ds, 'x00280008', 'IS') ?? 1),
    bitsAllocated,
    bitsStored,
    highBit: getNumber(ds, 'x00280102', 'US') ?? bitsStored - 1,
    pixelRepresentation: getNumber(ds, 'x00280103', 'US') === 1 ? 1 : 0,
    samplesPerPixel: getNumber(ds, 'x00280002', 'US') ?? 1,
    photometricInterpretation: getString(ds, 'x00280004') ?? 'MONOCHROME2',
    planarConfiguration: getNumber(ds, 'x00280006', 'US') === 1 ? 1 : 0,
    rescaleSlope: getNumber(ds, 'x00281053', 'DS') ?? shared?.rescaleSlope ?? 1,
    rescaleIntercept: getNumber(ds, 'x00281052', 'DS') ?? shared?.rescaleIntercept ?? 0,
    rescaleType: getString(ds, 'x00281054') ?? shared?.rescaleType,
    windowCenter: getNumbers(ds, 'x00281050', 'DS') ?? shared?.windowCenter,
    windowWidth: getNumbers(ds, 'x00281051', 'DS') ?? shared?.windowWidth,
    pixelSpacing: vec2(ds, 'x00280030') ?? shared?.pixelSpacing,
    imagerPixelSpacing: vec2(ds, 'x00181164'),
    imageOrientationPatient: vec6(ds, 'x00200037') ?? shared?.imageOrientationPatient,
    imagePositionPatient: vec3(ds, 'x00200032') ?? shared?.imagePositionPatient,
    sliceThickness: getNumber(ds, 'x00180050', 'DS') ?? shared?.sliceThickness,
    frames,
    isDicomdir: mediaSopClass === DICOMDIR_SOP_CLASS || sopClassUid === DICOMDIR_SOP_CLASS,
  };
}

/** Shared (5200,9229) merged under each Per-frame (5200,9230) item; undefined without either. */
function readFunctionalGroups(ds: DataSet): FrameFunctionalGroups[] | undefined {
  const sharedItem = getFirstItem(ds, 'x52009229');
  const perFrameItems = getSequenceItems(ds, 'x52009230');
  if (!sharedItem && perFrameItems.length === 0) return undefined;
  const shared = sharedItem ? readFrameMacros(sharedItem) : {};
  if (perFrameItems.length === 0) return [shared];
  return perFrameItems.map((item) => ({ ...shared, ...definedOnly(readFrameMacros(item)) }));
}

function readFrameMacros(group: DataSet): FrameFunctionalGroups {
  const measures = getFirstItem(group, 'x00289110');
  const orientation = getFirstItem(group, 'x00209116');
  const position = getFirstItem(group, 'x00209113');
  const rescale = getFirstItem(group, 'x00289145');
  const voi = getFirstItem(group, 'x00289132');
  return definedOnly({
    pixelSpacing: measures && vec2(measures, 'x00280030'),
    sliceThickness: measures && getNumber(measures, 'x00180050', 'DS'),
    imageOrientationPatient: orientation && vec6(orientation, 'x00200037'),
    imagePositionPatient: position && vec3(position, 'x00200032'),
    rescaleSlope: rescale && getNumber(rescale, 'x00281053', 'DS'),
    rescaleIntercept: rescale && getNumber(rescale, 'x00281052', 'DS'),
    rescaleType: rescale && getString(rescale, 'x00281054'),
    windowCenter: voi && getNumbers(voi, 'x00281050', 'DS'),
    windowWidth: voi && getNumbers(voi, 'x00281051', 'DS'),
  });
}

/** Drop undefined keys so spreading a per-frame item does not erase shared values. */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function vec2(ds: DataSet, tag: string): Vec2 | undefined {
  return getFixedNumbers(ds, tag, 'DS', 2) as Vec2 | undefined;
}

function vec3(ds: DataSet, tag: string): Vec3 | undefined {
  return getFixedNumbers(ds, tag, 'DS', 3) as Vec3 | undefined;
}

function vec6(ds: DataSet, tag: string): Vec6 | undefined {
  return getFixedNumbers(ds, tag, 'DS', 6) as Vec6 | undefined;
}
