// Reading the DICOM JSON model (PS3.18 F.2) that QIDO-RS and STOW-RS answer with.
import { z } from 'zod';
import { PacsError } from './pacsError';

const element = z.object({ vr: z.string().optional(), Value: z.array(z.unknown()).optional() }).passthrough();
const dataset = z.record(z.string().regex(/^[0-9A-Fa-f]{8}$/), element);
export type DicomJson = z.infer<typeof dataset>;

/** The JSON body as a list of data sets; anything else is a clear error. */
export function parseDicomJsonList(text: string, what: string): DicomJson[] {
  if (text.trim() === '') return []; // 204 No Content: no matches
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PacsError(`${what}: the PACS did not answer with DICOM JSON (is the URL the DICOMweb root?)`);
  }
  const parsed = z.array(dataset).safeParse(json);
  if (!parsed.success) throw new PacsError(`${what}: the PACS answer is not a list of DICOM JSON data sets`);
  return parsed.data;
}

export function parseDicomJsonObject(text: string, what: string): DicomJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PacsError(`${what}: the PACS did not answer with DICOM JSON`);
  }
  const parsed = dataset.safeParse(json);
  if (!parsed.success) throw new PacsError(`${what}: the PACS answer is not a DICOM JSON data set`);
  return parsed.data;
}

export function values(ds: DicomJson, tag: string): unknown[] {
  return ds[tag]?.Value ?? [];
}

export function text(ds: DicomJson, tag: string): string {
  const v = values(ds, tag)[0];
  if (v && typeof v === 'object' && 'Alphabetic' in v) return String((v as { Alphabetic?: unknown }).Alphabetic ?? '');
  return v === undefined || v === null ? '' : String(v);
}

export function integer(ds: DicomJson, tag: string): number | null {
  const v = Number(values(ds, tag)[0]);
  return Number.isInteger(v) ? v : null;
}

export function sequence(ds: DicomJson, tag: string): DicomJson[] {
  return values(ds, tag).filter((v): v is DicomJson => dataset.safeParse(v).success) as DicomJson[];
}

/** DA "20240110" -> "2024-01-10". */
export function isoDate(da: string): string {
  return /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : '';
}

export const TAG = {
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  SOPClassUID: '00080016',
  PatientName: '00100010',
  PatientID: '00100020',
  StudyDate: '00080020',
  StudyDescription: '00081030',
  AccessionNumber: '00080050',
  ModalitiesInStudy: '00080061',
  Modality: '00080060',
  SeriesNumber: '00200011',
  SeriesDescription: '0008103E',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  ReferencedSOPSequence: '00081199',
  FailedSOPSequence: '00081198',
  ReferencedSOPInstanceUID: '00081155',
  FailureReason: '00081197',
  WarningReason: '00081196',
} as const;
