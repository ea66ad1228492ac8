// The study a result was computed on: volume, voxels, ground truth and the source DICOM attributes
// that the exports copy (patient and study modules). Read only: the study is never written to.
import dcmjs from 'dcmjs';
import type { GroundTruth, VolumeInfo } from '../../../shared/api';
import { Engine, EngineError } from '../engine';
import type { NaturalDataset } from '../io/dicomWrite';
import { readRegularFile } from '../io/readRegularFile';
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
 * Opens the series `seriesUid` from `study`: a folder the user named (scanned), or exactly the
 * series' own files (only those are read: never their folder, which may be a home directory).
 * Fails with one line if the series is not there. `label` names the study in messages.
 */
export async function openStudySource(engine: Engine, study: string | string[], seriesUid: string, label = String(study)): Promise<StudySource> {
  const studyPath = label;
  let report;
  try {
    report = await engine.openPaths(Array.isArray(study) ? study : [study]);
  } catch (err) {
    throw new ReportError(`cannot open the study ${studyPath}: ${err instanceof Error ? err.message : err}`);
  }
  const all = report.studies.flatMap((s) => s.series);
  if (!all.some((s) => s.seriesUid === seriesUid)) {
    throw new ReportError(
      all.length === 0
        ? `no DICOM series in ${studyPath}`
        : `the results are for series ${seriesUid}, which is not in ${studyPath} (it has ${all.map((s) => s.seriesUid).join(', ')}): results from another study?`,
    );
  }
  try {
    const info = await engine.loadVolume(seriesUid);
    const voxels = await engine.getVoxels(seriesUid);
    const truth = await engine.getGroundTruth(seriesUid);
    // The files the engine opened for this series: the study is not walked a second time.
    const paths = engine.seriesFiles(seriesUid);
    return {
      info,
      voxels,
      truth,
      async instance(k) {
        const sop = info.sopInstanceUids[Math.min(Math.max(0, k), info.sopInstanceUids.length - 1)];
        const file = paths.get(sop);
        if (!file) throw new ReportError(`the source instance ${sop} was not found in ${studyPath}`);
        const dataset = await readNatural(file);
        return { sopClassUid: String(dataset.SOPClassUID), sopInstanceUid: sop, dataset };
      },
    };
  } catch (err) {
    if (err instanceof EngineError) throw new ReportError(err.message);
    throw err;
  }
}

/** The patient/study attributes of a source dataset, for copying into a derived object. */
export function patientStudyAttributes(source: NaturalDataset): NaturalDataset {
  const out: NaturalDataset = {};
  for (const k of PATIENT_STUDY_KEYWORDS) if (source[k] !== undefined) out[k] = source[k];
  for (const k of ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'StudyID', 'AccessionNumber']) out[k] ??= '';
  return out;
}
