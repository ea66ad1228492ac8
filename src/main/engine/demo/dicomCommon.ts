// Patient, study, equipment and SOP common attributes shared by the demo CT and cephalogram.
// Everything derives from the seed (no clock), so a regenerated study is byte-identical.
import type { NaturalDataset } from '../io/dicomWrite';
import { createRng } from '../random';
import { demoUid } from './uids';

export const GENERATOR = 'Explicare demo generator';

/** DICOM DS: at most 16 characters, no exponent. */
export function ds(v: number): string {
  const text = String(Number(v.toFixed(6)));
  if (text.length > 16 || text.includes('e')) throw new Error(`value ${v} does not fit a DS`);
  return text;
}

export function dsList(values: readonly number[]): string[] {
  return values.map(ds);
}

function dicomDate(base: Date, addDays: number): string {
  const d = new Date(base.getTime() + addDays * 86_400_000);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

export interface CommonArgs {
  seed: number;
  kind: 'ct' | 'ceph';
  patientName: string;
  studyDescription: string;
  modality: string;
  sopClassUid: string;
}

/** Attributes common to every instance of the study (patient, study, series-level equipment). */
export function commonAttributes(a: CommonArgs): NaturalDataset {
  const rng = createRng(`${a.kind}-${a.seed}-patient`);
  const studyDate = dicomDate(new Date(Date.UTC(2024, 0, 8)), Math.abs(a.seed) % 700);
  const ageYears = a.kind === 'ceph' ? rng.int(12, 40) : rng.int(35, 80);
  const birth = `${Number(studyDate.slice(0, 4)) - ageYears}${String(rng.int(1, 12)).padStart(2, '0')}${String(rng.int(1, 28)).padStart(2, '0')}`;
  const hh = String(rng.int(8, 17)).padStart(2, '0');
  const mm = String(rng.int(0, 59)).padStart(2, '0');
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    SOPClassUID: a.sopClassUid,
    StudyDate: studyDate,
    SeriesDate: studyDate,
    AcquisitionDate: studyDate,
    ContentDate: studyDate,
    StudyTime: `${hh}${mm}00`,
    SeriesTime: `${hh}${mm}30`,
    AcquisitionTime: `${hh}${mm}40`,
    ContentTime: `${hh}${mm}50`,
    AccessionNumber: `DEMO${a.kind.toUpperCase()}${a.seed}`.slice(0, 16),
    Modality: a.modality,
    Manufacturer: 'Explicare',
    InstitutionName: 'Explicare Demo Hospital',
    ReferringPhysicianName: [{ Alphabetic: 'Demo^Referrer' }],
    StudyDescription: a.studyDescription,
    ManufacturerModelName: 'Synthetic phantom',
    PatientName: [{ Alphabetic: a.patientName }],
    PatientID: `DEMO-${a.kind.toUpperCase()}-${a.seed}`,
    PatientBirthDate: birth,
    PatientSex: rng.next() < 0.5 ? 'F' : 'M',
    PatientAge: `${String(ageYears).padStart(3, '0')}Y`,
    DeviceSerialNumber: 'EXPLICARE-DEMO',
    SoftwareVersions: 'explicare-demo 1',
    StudyInstanceUID: demoUid(a.seed, `${a.kind}/study`),
    SeriesInstanceUID: demoUid(a.seed, `${a.kind}/series`),
    StudyID: `${a.seed}`.slice(0, 16),
    SeriesNumber: 1,
  };
}
