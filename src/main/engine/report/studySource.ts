// The study a result was computed on: volume, voxels, ground truth and the source DICOM attributes
// that the exports copy (patient and study modules). Read only: the study is never written to.
import dcmjs from 'dcmjs';
import type { GroundTruth, VolumeInfo } from '../../../shared/api';
import type { NaturalDataset } from '../io/dicomWrite';
import { readRegularFile } from '../io/readRegularFile';
import type { ExportSeries } from './exportInput';
import { ReportError } from './resultFile';

interface DcmjsRead {
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): { dict: Record<string, unknown> } };
    DicomMetaDictionary: { naturalizeDataset(dict: Record<string, unknown>): NaturalDataset };
  };
}
const { data: dcm } = dcmjs as unknown as DcmjsRead;

/** Patient, general study and patient study modules: copied into every derived object. */
export const PATIENT_STUDY_KEYWORDS = [
  'PatientName', 'PatientID', 'IssuerOfPatientID', 'PatientBirthDate', 'PatientSex', 'PatientAge', 'PatientSize', 'PatientWeight', 'OtherPatientIDsSequence',
  'StudyInstanceUID', 'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'StudyID', 'AccessionNumber', 'StudyDescription',
] as const;

export interface StudySource {
  info: VolumeInfo;
  voxels: ArrayLike<number>;
  truth: GroundTruth | null;
  /** The source instance of slice k (SOP Class/Instance UIDs, and its natural dataset without pixels). */
  instance(k: number): Promise<{ sopClassUid: string; sopInstanceUid: string; dataset: NaturalDataset }>;
}

export async function readNatural(file: string): Promise<NaturalDataset> {
  const bytes = await readRegularFile(file);
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { dict } = dcm.DicomMessage.readFile(ab, { untilTag: '7FE00010', includeUntilTagValue: false });
  return dcm.DicomMetaDictionary.naturalizeDataset(dict);
}

/**
 * The series an export reads: voxels and ground truth as the engine holds them, and the source
 * instance of a slice read from exactly the series' own files (never their folder).
 */
export function studySource(series: ExportSeries): StudySource {
  const { info, files } = series;
  return {
    info,
    voxels: series.voxels,
    truth: series.truth,
    async instance(k) {
      const sop = info.sopInstanceUids[Math.min(Math.max(0, k), info.sopInstanceUids.length - 1)];
      const file = files.get(sop);
      if (!file) throw new ReportError(`the source instance ${sop} is not among the files of series ${info.seriesUid}`);
      const dataset = await readNatural(file);
      return { sopClassUid: String(dataset.SOPClassUID), sopInstanceUid: sop, dataset };
    },
  };
}

/** The patient/study attributes of a source dataset, for copying into a derived object. */
export function patientStudyAttributes(source: NaturalDataset): NaturalDataset {
  const out: NaturalDataset = {};
  for (const k of PATIENT_STUDY_KEYWORDS) if (source[k] !== undefined) out[k] = source[k];
  for (const k of [
    'PatientName',
    'PatientID',
    'PatientBirthDate',
    'PatientSex',
    'StudyDate',
    'StudyTime',
    'ReferringPhysicianName',
    'StudyID',
    'AccessionNumber',
  ])
    out[k] ??= '';
  return out;
}
