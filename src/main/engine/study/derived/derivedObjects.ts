// The derived objects (SEG, Parametric Map, SR) opened in this session, and which series each refers
// to: by the series it names, else by any of its source images. One that refers to no open series is
// reported when opened (naming it) and kept: it is matched once its series is opened too.
import type { DerivedObjectSummary, SkippedFile, VolumeInfo } from '../../../../shared/api';
import type { SeriesRecord } from '../catalog';
import { describeDerived, type DerivedRecord } from './derivedRecord';
import { derivedMap, inspectDerived } from './readDerived';

export class DerivedObjects {
  private readonly records = new Map<string, DerivedRecord>();

  /** Adds what a scan found; returns a message for each object that refers to no open series. */
  add(found: DerivedRecord[], seriesOf: (uid: string) => SeriesRecord | undefined, allSeries: () => SeriesRecord[]): SkippedFile[] {
    const notes: SkippedFile[] = [];
    for (const r of found) {
      this.records.set(r.sopInstanceUid, r);
      if (allSeries().some((s) => this.refersTo(r, s)) || (r.kind === 'sr' && r.referencedSeries.length === 0 && r.referencedInstances.length === 0)) continue;
      const named = r.referencedSeries[0] ?? (r.referencedInstances.length ? `${r.referencedInstances.length} image(s)` : undefined);
      notes.push({
        file: r.displayName,
        reason: named
          ? `${describeDerived(r)} refers to ${seriesOf(named) ? 'images' : `series ${named}`}, which is not open: it is shown once that series is opened`
          : `${describeDerived(r)} names no series or source images it was derived from: it cannot be placed on any series`,
      });
    }
    return notes;
  }

  private refersTo(r: DerivedRecord, s: SeriesRecord): boolean {
    if (r.studyUid !== s.studyUid) return false;
    if (r.referencedSeries.includes(s.uid)) return true;
    return s.instances.some((i) => r.referencedInstances.includes(i.sopInstanceUid));
  }

  /** The objects that refer to `series`, each checked against its grid (`info`). */
  async list(series: SeriesRecord, info: VolumeInfo): Promise<DerivedObjectSummary[]> {
    const mine = [...this.records.values()].filter((r) => this.refersTo(r, series));
    return Promise.all(mine.map((r) => inspectDerived(r, info)));
  }

  record(series: SeriesRecord, uid: string): DerivedRecord | undefined {
    const r = this.records.get(uid);
    return r && this.refersTo(r, series) ? r : undefined;
  }

  map(r: DerivedRecord, info: VolumeInfo, segment: number): Promise<Float32Array> {
    return derivedMap(r, info, segment);
  }
}
