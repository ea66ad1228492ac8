// QIDO-RS: search studies (patient name/ID, date range, modality), list a study's series, and list
// the instances a retrieval must deliver (so a partial retrieval is detected, not guessed).
import type { ApiArgs } from '../../../shared/api';
import type { PacsSeriesHit, PacsStudyHit } from '../../../shared/pacsApi';
import { isoDate, integer, parseDicomJsonList, TAG, text, values } from './dicomJson';
import { PacsError } from './pacsError';
import { pacsRequest } from './request';
import type { PacsSettings } from './settings';

const DICOM_JSON = 'application/dicom+json';

async function qido(settings: PacsSettings, path: string, what: string, signal?: AbortSignal) {
  const res = await pacsRequest(settings, { path, accept: DICOM_JSON, what, signal });
  const type = res.response.headers.get('content-type') ?? '';
  const body = (await res.bytes()).toString('utf8');
  if (res.response.status !== 204 && body.trim() && !/json/i.test(type)) {
    throw new PacsError(`${what}: the PACS answered with ${type || 'no content type'}, not DICOM JSON (is the URL the DICOMweb root?)`);
  }
  return parseDicomJsonList(body, what);
}

const daRange = (from: string, to: string) => (from || to ? `${from.replaceAll('-', '')}-${to.replaceAll('-', '')}` : '');

export async function searchStudies(settings: PacsSettings, q: ApiArgs<'pacsSearch'>): Promise<PacsStudyHit[]> {
  const params = new URLSearchParams();
  // A name without wildcards matches as a prefix ("Doe" finds "Doe^Jane"), as PACS viewers do.
  if (q.patientName) params.set('PatientName', /[*?]/.test(q.patientName) ? q.patientName : `${q.patientName}*`);
  if (q.patientId) params.set('PatientID', q.patientId);
  const dates = daRange(q.dateFrom, q.dateTo);
  if (dates) params.set('StudyDate', dates);
  if (q.modality) params.set('ModalitiesInStudy', q.modality);
  params.set('limit', String(q.limit));
  for (const f of ['StudyDescription', 'ModalitiesInStudy', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances', 'AccessionNumber'])
    params.append('includefield', f);
  const found = await qido(settings, `/studies?${params}`, 'the study search');
  return found
    .map((ds) => ({
      studyUid: text(ds, TAG.StudyInstanceUID),
      patientName: text(ds, TAG.PatientName),
      patientId: text(ds, TAG.PatientID),
      studyDate: isoDate(text(ds, TAG.StudyDate)),
      description: text(ds, TAG.StudyDescription),
      accessionNumber: text(ds, TAG.AccessionNumber),
      modalities: values(ds, TAG.ModalitiesInStudy).map(String),
      seriesCount: integer(ds, TAG.NumberOfStudyRelatedSeries),
      instanceCount: integer(ds, TAG.NumberOfStudyRelatedInstances),
    }))
    .filter((s) => /^[0-9.]{1,64}$/.test(s.studyUid));
}

export async function listSeries(settings: PacsSettings, studyUid: string, signal?: AbortSignal): Promise<PacsSeriesHit[]> {
  const found = await qido(
    settings,
    `/studies/${studyUid}/series?includefield=NumberOfSeriesRelatedInstances&includefield=SeriesDescription`,
    'the series list',
    signal,
  );
  return found
    .map((ds) => ({
      seriesUid: text(ds, TAG.SeriesInstanceUID),
      modality: text(ds, TAG.Modality),
      seriesNumber: integer(ds, TAG.SeriesNumber),
      description: text(ds, TAG.SeriesDescription),
      instanceCount: integer(ds, TAG.NumberOfSeriesRelatedInstances),
    }))
    .filter((s) => /^[0-9.]{1,64}$/.test(s.seriesUid));
}

/** SOP Instance UIDs of a study or one of its series, as the PACS lists them. */
export async function listInstanceUids(settings: PacsSettings, studyUid: string, seriesUid: string | undefined, signal?: AbortSignal): Promise<string[]> {
  const path = seriesUid ? `/studies/${studyUid}/series/${seriesUid}/instances` : `/studies/${studyUid}/instances`;
  const found = await qido(settings, `${path}?includefield=SOPInstanceUID`, 'the instance list', signal);
  return found.map((ds) => text(ds, TAG.SOPInstanceUID)).filter((u) => u !== '');
}
