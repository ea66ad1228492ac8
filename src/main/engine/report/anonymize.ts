// De-identification of exported objects: a subset of the PS3.15 Annex E Basic Application Level
// Confidentiality Profile with the Retain Longitudinal Temporal Information with Modified Dates
// option. Names and IDs are replaced, identifying attributes removed, every date (each DA, and the
// date part of each DT, found by the attribute's VR, not by its name) shifted by one offset per
// patient, and UIDs remapped consistently (the same source UID always maps to the same 2.25 UID,
// so exports of one study still form one study). Pseudonym, offset and UIDs are HMAC-SHA256 under
// a secret of this install (anonymizationSecret.ts): without it the mapping cannot be recomputed.
// The offset is whole days, so TM values keep their meaning; export-time dates are not written
// from the real clock in anonymized exports (exportClock.ts), else they would betray the offset.
import { createHmac } from 'node:crypto';
import dcmjs from 'dcmjs';
import type { NaturalDataset } from '../io/dicomWrite';

const STANDARD_UID_ROOT = '1.2.840.10008.';

/** Removed (X in PS3.15 Table E.1-1). */
const REMOVE = new Set([
  'InstitutionName',
  'InstitutionAddress',
  'InstitutionalDepartmentName',
  'StationName',
  'PhysiciansOfRecord',
  'PerformingPhysicianName',
  'NameOfPhysiciansReadingStudy',
  'OperatorsName',
  'RequestingPhysician',
  'PatientAge',
  'PatientSize',
  'PatientWeight',
  'PatientBirthTime',
  'PatientAddress',
  'PatientTelephoneNumbers',
  'OtherPatientIDs',
  'OtherPatientIDsSequence',
  'OtherPatientNames',
  'PatientBirthName',
  'PatientMotherBirthName',
  'MilitaryRank',
  'EthnicGroup',
  'Occupation',
  'AdditionalPatientHistory',
  'PatientComments',
  'IssuerOfPatientID',
  'StudyDescription',
  'StudyComments',
  'SeriesDescriptionOfSource',
  'ImageComments',
  'RequestAttributesSequence',
  'ReferringPhysicianAddress',
  'ReferringPhysicianTelephoneNumbers',
  'PerformedProcedureStepID',
  'PerformedProcedureStepDescription',
  'ProtocolName',
  'DerivationDescription',
  'AdmittingDiagnosesDescription',
  'MedicalAlerts',
  'Allergies',
]);
/** Emptied (Z: type 2, must stay present). */
const EMPTY = new Set(['PatientBirthDate', 'PatientSex', 'AccessionNumber', 'StudyID', 'ReferringPhysicianName', 'ContentCreatorName']);
/** Replaced with a dummy (D: type 1 where present, e.g. Enhanced General Equipment). */
const DUMMY: Record<string, string> = { DeviceSerialNumber: 'REMOVED' };
/** UID attributes that name a class or syntax, never an instance: kept. */
const KEEP_UID = /(ClassUID|TransferSyntaxUID|CodingSchemeUID|ImplementationClassUID|ContextUID|MappingResourceUID)$/;

const nameMap = (dcmjs as { data: { DicomMetaDictionary: { nameMap: Record<string, { vr: string } | undefined> } } }).data.DicomMetaDictionary.nameMap;

/** The VR of a keyword: the dataset's own _vrMap first, then the standard dictionary; private or unknown names by their suffix. */
function vrOf(keyword: string, vrMap: Record<string, string> | undefined): string | undefined {
  const vr = vrMap?.[keyword] ?? nameMap[keyword]?.vr;
  if (vr) return vr;
  if (/DateTime$/.test(keyword)) return 'DT';
  if (/Date$/.test(keyword)) return 'DA';
  return undefined;
}

export interface Anonymizer {
  /** A de-identified copy of a natural dataset (sequences included). */
  dataset(ds: NaturalDataset): NaturalDataset;
  uid(uid: string): string;
  /** A DA shifted by the patient's offset ('' for anything that is not a valid date). */
  date(da: string): string;
  patientName: string;
  patientId: string;
  /** Days added to every date (negative). */
  offsetDays: number;
}

const hmac = (secret: Uint8Array, ...parts: string[]) => createHmac('sha256', secret).update(parts.join('\0')).digest();

/** 2.25 UID from HMAC(secret, uid): deterministic per install, not recomputable without the secret. */
export function hashedUid(secret: Uint8Array, uid: string): string {
  const d = hmac(secret, 'explicare-anon-uid', uid).subarray(0, 16);
  d[6] = (d[6] & 0x0f) | 0x80; // version 8 (custom, RFC 9562)
  d[8] = (d[8] & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${d.toString('hex')}`).toString(10)}`;
}

/** A sequence item (a plain object that is not a person name), as opposed to pixel data buffers. */
const isItem = (x: unknown): boolean => typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype && !('Alphabetic' in x);

export function shiftDa(da: string, days: number): string {
  if (!/^\d{8}$/.test(da)) return '';
  const y = Number(da.slice(0, 4));
  const m = Number(da.slice(4, 6));
  const dd = Number(da.slice(6, 8));
  if (m < 1 || m > 12 || dd < 1 || dd > 31) return '';
  const d = new Date(Date.UTC(y, m - 1, dd) + days * 86_400_000);
  if (d.getUTCFullYear() < 1) return ''; // DA has four year digits; an absurd source date is dropped, not wrapped
  return `${String(d.getUTCFullYear()).padStart(4, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** DT: the date part shifted, the rest (time, fraction, UTC offset) kept; a DT without a full date is dropped. */
function shiftDt(dt: string, days: number): string {
  const date = dt.length >= 8 ? shiftDa(dt.slice(0, 8), days) : '';
  return date ? date + dt.slice(8) : '';
}

/**
 * An anonymizer for one patient. `secret` is the install's anonymization secret; the date offset
 * (-365 .. -3999 days) and the pseudonym derive from HMAC(secret, original patient ID).
 */
export function createAnonymizer(originalPatientId: string, secret: Uint8Array): Anonymizer {
  if (!(secret instanceof Uint8Array) || secret.length < 16) throw new Error('anonymization needs a secret of at least 16 bytes');
  const h = hmac(secret, 'explicare-anon-patient', originalPatientId);
  const offsetDays = -(365 + (h.readUInt32BE(0) % 3635));
  const pseudonym = h.subarray(4, 10).toString('hex').toUpperCase();
  const patientName = `ANONYMOUS^${pseudonym}`;
  const patientId = `ANON-${pseudonym}`;
  const uid = (u: string) => (u.startsWith(STANDARD_UID_ROOT) || u === '' ? u : hashedUid(secret, u));
  const date = (da: string) => shiftDa(da, offsetDays);

  const each = (v: unknown, f: (s: string) => string) => (Array.isArray(v) ? v.map((x) => f(String(x))) : typeof v === 'string' ? f(v) : v);
  const value = (k: string, v: unknown, vrMap: Record<string, string> | undefined): unknown => {
    if (Array.isArray(v) && v.some((x) => isItem(x))) return v.map((item) => walk(item as NaturalDataset));
    const vr = vrOf(k, vrMap);
    if (vr === 'UI' || (!vr && /UID$/.test(k))) return KEEP_UID.test(k) ? v : each(v, uid);
    if (vr === 'DA') return each(v, date);
    if (vr === 'DT') return each(v, (s) => shiftDt(s, offsetDays));
    return v;
  };
  const walk = (ds: NaturalDataset): NaturalDataset => {
    const out: NaturalDataset = {};
    const vrMap = ds._vrMap as Record<string, string> | undefined;
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
      else out[k] = value(k, v, vrMap);
    }
    return out;
  };

  return {
    patientName,
    patientId,
    offsetDays,
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
