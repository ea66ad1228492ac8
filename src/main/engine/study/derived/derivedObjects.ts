// The derived objects (SEG, Parametric Map, SR) opened in this session, and which series each refers
// to: by the series it names, else by any of its source images. One that refers to no open series is
// reported when opened (naming it) and kept: it is matched once its series is opened too.
import type { DerivedObjectSummary, SkippedFile, VolumeInfo } from '../../../../shared/api';
import type { SeriesRecord } from '../catalog';
import { describeDerived, type DerivedRecord } from './derivedRecord';
import { derivedMap, inspectDerived } from './readDerived';

export class DerivedObjects {
  private readonly records = new Map<string, DerivedRecord>();

  /**
   * Adds what a scan found; returns how many refer to an open series and a message for each that
   * does not (a report that refers to none is what it always was here: not an image), inserted
   * into the scan's `skipped` list where the file was met.
   */
  add(found: DerivedRecord[], seriesOf: (uid: string) => SeriesRecord | undefined, allSeries: () => SeriesRecord[], skipped: SkippedFile[]): number {
    const notes: { at: number; note: SkippedFile }[] = [];
    let placed = 0;
    for (const r of found) {
      this.records.set(r.sopInstanceUid, r);
      if (allSeries().some((s) => this.refersTo(r, s))) {
        placed++;
        continue;
      }
      if (r.kind === 'sr') {
        notes.push({ at: r.skippedBefore, note: { file: r.displayName, reason: 'not an image (e.g. a report or presentation state)' } });
        continue;
      }
      const named = r.referencedSeries[0] ?? (r.referencedInstances.length ? `${r.referencedInstances.length} image(s)` : undefined);
      notes.push({
        at: r.skippedBefore,
        note: {
          file: r.displayName,
          reason: named
            ? `${describeDerived(r)} refers to ${r.referencedSeries[0] ? `series ${named}` : named}, which ${seriesOf(named) ? 'is in another study' : 'is not open'}: it is shown once that series is opened`
            : `${describeDerived(r)} names no series or source images it was derived from: it cannot be placed on any series`,
        },
      });
    }
    // Latest position first, so the earlier positions still hold.
    for (const n of notes.reverse()) skipped.splice(n.at, 0, n.note);
    return placed;
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
