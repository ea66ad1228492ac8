// Who a DICOM file is (SOP instance/class, study, series), read from its header only. Used to check
// what a WADO-RS retrieval delivered and to report STOW-RS results per instance.
import { DicomInputError, parseDicom } from '../dicom/parseFile';

export interface InstanceIdentity {
  sopInstanceUid: string;
  sopClassUid: string;
  studyUid: string;
  seriesUid: string;
}

/** The identity, or null when the bytes are not a DICOM instance with its UIDs. */
export function instanceIdentity(bytes: Buffer): InstanceIdentity | null {
  try {
    const { dataSet } = parseDicom(bytes, { untilPixelData: true });
    const get = (tag: string) => (dataSet.elements[tag] ? (dataSet.string(tag) ?? '').trim() : '');
    const id = { sopInstanceUid: get('x00080018'), sopClassUid: get('x00080016'), studyUid: get('x0020000d'), seriesUid: get('x0020000e') };
    return id.sopInstanceUid && id.sopClassUid ? id : null;
  } catch (err) {
    if (err instanceof DicomInputError) return null;
    throw err;
  }
}
