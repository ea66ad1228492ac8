// De-identification of exported objects: a subset of the PS3.15 Annex E Basic Application Level
// Confidentiality Profile with the Retain Longitudinal Temporal Information with Modified Dates
// option. Names and IDs are replaced, identifying attributes removed, dates shifted by one offset
// per patient, and UIDs remapped consistently (the same source UID always maps to the same
// 2.25 UID, so exports of one study still form one study).
import { createHash } from 'node:crypto';
import type { NaturalDataset } from '../io/dicomWrite';

const STANDARD_UID_ROOT = '1.2.840.10008.';

/** Removed (X in PS3.15 Table E.1-1). */
const REMOVE = new Set([
  'InstitutionName', 'InstitutionAddress', 'InstitutionalDepartmentName', 'StationName', 'PhysiciansOfRecord', 'PerformingPhysicianName',
  'NameOfPhysiciansReadingStudy', 'OperatorsName', 'RequestingPhysician', 'PatientAge', 'PatientSize', 'PatientWeight',
  'PatientAddress', 'PatientTelephoneNumbers', 'OtherPatientIDs', 'OtherPatientIDsSequence', 'OtherPatientNames', 'PatientBirthName',
  'PatientMotherBirthName', 'MilitaryRank', 'EthnicGroup', 'Occupation', 'AdditionalPatientHistory', 'PatientComments', 'IssuerOfPatientID',
  'StudyDescription', 'SeriesDescriptionOfSource', 'ImageComments', 'RequestAttributesSequence', 'ReferringPhysicianAddress', 'ReferringPhysicianTelephoneNumbers',
  'PerformedProcedureStepID', 'PerformedProcedureStepDescription', 'ProtocolName', 'DerivationDescription',
]);
/** Emptied (Z: type 2, must stay present). */
const EMPTY = new Set(['PatientBirthDate', 'PatientSex', 'AccessionNumber', 'StudyID', 'ReferringPhysicianName', 'ContentCreatorName']);
/** Replaced with a dummy (D: type 1 where present, e.g. Enhanced General Equipment). */
const DUMMY: Record<string, string> = { DeviceSerialNumber: 'REMOVED' };
/** UID attributes that name a class or syntax, never an instance: kept. */
const KEEP_UID = /(ClassUID|TransferSyntaxUID|CodingSchemeUID|ImplementationClassUID|ContextUID|MappingResourceUID)$/;

export interface Anonymizer {
  /** A de-identified copy of a natural dataset (sequences included). */
  dataset(ds: NaturalDataset): NaturalDataset;
  uid(uid: string): string;
  date(da: string): string;
  patientName: string;
  patientId: string;
}

/** 2.25 UID from a hash of (key, uid): deterministic, not reversible without the key. */
export function hashedUid(key: string, uid: string): string {
  const d = createHash('sha256').update(`explicare-anon\0${key}\0${uid}`).digest().subarray(0, 16);
  d[6] = (d[6] & 0x0f) | 0x80; // version 8 (custom, RFC 9562)
  d[8] = (d[8] & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${d.toString('hex')}`).toString(10)}`;
}

/** A sequence item (a plain object that is not a person name), as opposed to pixel data buffers. */
const isItem = (x: unknown): boolean => typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype && !('Alphabetic' in x);

function shiftDa(da: string, days: number): string {
  if (!/^\d{8}$/.test(da)) return '';
  const t = Date.UTC(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8))) + days * 86_400_000;
  const d = new Date(t);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/**
 * An anonymizer for one patient. `key` is a project secret (default: fixed, so exports stay
 * consistent across runs); the date offset (-365 .. -3999 days) and the pseudonym derive from
 * (key, original patient ID).
 */
export function createAnonymizer(originalPatientId: string, key = ''): Anonymizer {
  const h = createHash('sha256').update(`explicare-anon-patient\0${key}\0${originalPatientId}`).digest();
  const offsetDays = -(365 + (h.readUInt32BE(0) % 3635));
  const pseudonym = h.subarray(4, 10).toString('hex').toUpperCase();
  const patientName = `ANONYMOUS^${pseudonym}`;
  const patientId = `ANON-${pseudonym}`;
  const uid = (u: string) => (u.startsWith(STANDARD_UID_ROOT) || u === '' ? u : hashedUid(key, u));
  const date = (da: string) => shiftDa(da, offsetDays);

  const value = (k: string, v: unknown): unknown => {
    if (Array.isArray(v) && v.some((x) => isItem(x))) return v.map((item) => walk(item as NaturalDataset));
    if (/UID$/.test(k) && !KEEP_UID.test(k)) return Array.isArray(v) ? v.map((x) => uid(String(x))) : uid(String(v));
    if (/Date$/.test(k) && typeof v === 'string') return date(v);
    if (/DateTime$/.test(k) && typeof v === 'string') return v.length >= 8 ? date(v.slice(0, 8)) + v.slice(8) : '';
    return v;
  };
  const walk = (ds: NaturalDataset): NaturalDataset => {
    const out: NaturalDataset = {};
    for (const [k, v] of Object.entries(ds)) {
      if (k === '_meta') continue;
      if (k === '_vrMap') {
        out[k] = v;
        continue;
      }
      if (REMOVE.has(k)) continue;
      if (EMPTY.has(k)) out[k] = '';
      else if (k in DUMMY) out[k] = DUMMY[k];
      else if (k === 'PatientName') out[k] = [{ Alphabetic: patientName }];
      else if (k === 'PatientID') out[k] = patientId;
      else out[k] = value(k, v);
    }
    return out;
  };

  return {
    patientName,
    patientId,
    uid,
    date,
    dataset(ds) {
      const out = walk(ds);
      if ('PatientName' in out || 'PatientID' in out) {
        out.PatientIdentityRemoved = 'YES';
        out.LongitudinalTemporalInformationModified = 'MODIFIED';
        out.DeidentificationMethod = 'Explicare: PS3.15 basic subset, dates shifted, UIDs remapped'; // LO: 64 max
        out.DeidentificationMethodCodeSequence = [
          { CodeValue: '113100', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Basic Application Confidentiality Profile' },
          { CodeValue: '113107', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Retain Longitudinal Temporal Information Modified Dates Option' },
        ];
      }
      return out;
    },
  };
}
