// Groups scanned instances into patient/study/series and keeps them for the session.
import type { SeriesSummary, SkippedFile, StudySummary } from '../../../shared/api';
import type { InstanceRecord } from './scan';

export interface SeriesRecord {
  uid: string;
  studyUid: string;
  instances: InstanceRecord[];
}

interface StudyRecord {
  uid: string;
  series: Map<string, SeriesRecord>;
}

/** Projection radiography: one 2D image, not a slice of a volume. */
const PROJECTION_MODALITIES = new Set(['DX', 'CR', 'MG', 'IO', 'PX', 'RF', 'XA', 'OT', 'SC', 'XC']);

const frameCount = (s: SeriesRecord): number =>
  s.instances.reduce((n, i) => n + Math.max(1, i.header.numberOfFrames), 0);

export function seriesKind(s: SeriesRecord): 'volume' | 'image' {
  const first = s.instances[0].header;
  if (frameCount(s) === 1) return 'image';
  if (PROJECTION_MODALITIES.has(first.modality ?? '') && !first.imagePositionPatient) return 'image';
  return 'volume';
}

const isoDate = (da: string): string =>
  /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : '';

export class Catalog {
  private readonly studies = new Map<string, StudyRecord>();

  /**
   * Adds instances; returns the series the instances belong to, those that gained instances
   * (their volumes must be rebuilt) and the files rejected.
   */
  add(instances: InstanceRecord[]): { series: string[]; changed: string[]; rejected: SkippedFile[] } {
    const seen = new Set<string>();
    const touched = new Set<string>();
    for (const inst of instances) {
      const { studyUid, seriesUid, sopInstanceUid } = inst;
      let study = this.studies.get(studyUid);
      if (!study) this.studies.set(studyUid, (study = { uid: studyUid, series: new Map() }));
      let series = study.series.get(seriesUid);
      if (!series) study.series.set(seriesUid, (series = { uid: seriesUid, studyUid, instances: [] }));
      seen.add(seriesUid);
      // Opening the same files twice must not duplicate slices.
      if (series.instances.some((i) => i.sopInstanceUid === sopInstanceUid)) continue;
      series.instances.push(inst);
      touched.add(seriesUid);
    }
    const rejected: SkippedFile[] = [];
    for (const uid of touched) rejected.push(...this.dropMismatchedSizes(this.series(uid)!));
    return { series: [...seen], changed: [...touched], rejected };
  }

  /** A series whose images differ in size cannot form one volume: keep the majority size. */
  private dropMismatchedSizes(s: SeriesRecord): SkippedFile[] {
    const key = (i: InstanceRecord) => `${i.header.columns}x${i.header.rows}`;
    const counts = new Map<string, number>();
    for (const i of s.instances) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
    if (counts.size <= 1) return [];
    const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const dropped = s.instances.filter((i) => key(i) !== majority);
    s.instances = s.instances.filter((i) => key(i) === majority);
    return dropped.map((i) => ({
      file: i.displayName,
      reason: `image size ${key(i)} differs from the rest of its series (${majority}); left out of the volume`,
    }));
  }

  /** Every series with instances (derived objects are matched against these). */
  allSeries(): SeriesRecord[] {
    return [...this.studies.values()].flatMap((s) => [...s.series.values()].filter((x) => x.instances.length > 0));
  }

  series(uid: string): SeriesRecord | undefined {
    for (const study of this.studies.values()) {
      const s = study.series.get(uid);
      if (s) return s;
    }
    return undefined;
  }

  summaries(): StudySummary[] {
    return [...this.studies.values()].map((study) => {
      const series = [...study.series.values()].filter((s) => s.instances.length > 0);
      const h = series[0]?.instances[0].header;
      return {
        studyUid: study.uid,
        patientName: h?.patientName ?? '',
        patientId: h?.patientId ?? '',
        studyDate: isoDate(h?.studyDate ?? ''),
        description: h?.studyDescription ?? '',
        series: series.map((s) => this.seriesSummary(s)),
      };
    });
  }

  private seriesSummary(s: SeriesRecord): SeriesSummary {
    const h = s.instances[0].header;
    return {
      seriesUid: s.uid,
      studyUid: s.studyUid,
      modality: h.modality ?? 'OT',
      seriesNumber: h.seriesNumber ?? null,
      description: h.seriesDescription ?? '',
      imageCount: frameCount(s),
      fileCount: s.instances.length,
      rows: h.rows,
      columns: h.columns,
      kind: seriesKind(s),
    };
  }
}
