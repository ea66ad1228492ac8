// Studies and volumes: what the user opened (catalog of patient/study/series), each series decoded
// once into a volume (a few kept in memory), and the tags of a slice.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DerivedObjectSummary, OpenReport, StudySummary, TagEntry, UploadFile, VolumeInfo } from '../../../shared/api';
import { parseDicom } from '../dicom/parseFile';
import { dumpTags } from '../dicom/tagDump';
import { Catalog, type SeriesRecord } from '../study/catalog';
import { scanPaths } from '../study/scan';
import { DerivedObjects } from '../study/derived/derivedObjects';
import { DerivedObjectError } from '../study/derived/derivedFrames';
import { buildVolume, type BuildProgress, type Volume } from '../volume/buildVolume';
import { type DemoKind, demoStudyFolder } from './demoStudy';
import { EngineError } from './engineError';
import { UploadFolders } from './uploads';

export class StudyService {
  private readonly catalog = new Catalog();
  private readonly volumes = new Map<string, Promise<Volume>>();
  private readonly uploads: UploadFolders;
  private readonly derived = new DerivedObjects();

  constructor(
    private readonly cacheDir: string,
    /** How many decoded volumes to keep in memory (each a 512x512x400 CT is ~200 MB). */
    private readonly volumeCacheSize = 2,
  ) {
    this.uploads = new UploadFolders(path.join(cacheDir, 'uploads'));
  }

  async openPaths(paths: string[]): Promise<OpenReport> {
    const scan = await scanPaths(paths);
    const added = this.catalog.add(scan.instances);
    for (const uid of added.changed) this.volumes.delete(uid); // new slices: rebuild on next load
    const placed = this.derived.add(scan.derived, (uid) => this.catalog.series(uid), () => this.catalog.allSeries(), scan.skipped);
    return {
      filesScanned: scan.filesScanned,
      dicomFiles: scan.instances.length + placed,
      skipped: [...scan.skipped, ...added.rejected],
      studies: this.catalog.summaries(),
      openedSeries: added.series,
    };
  }

  async openDemo(kind: DemoKind): Promise<OpenReport> {
    return this.openPaths([await demoStudyFolder(this.cacheDir, kind)]);
  }

  async openFiles(files: UploadFile[]): Promise<OpenReport> {
    return this.openPaths(await this.uploads.write(files));
  }

  dispose(): Promise<void> {
    return this.uploads.dispose();
  }

  listStudies(): StudySummary[] {
    return this.catalog.summaries();
  }

  series(uid: string): SeriesRecord {
    const s = this.catalog.series(uid);
    if (!s || s.instances.length === 0) throw new EngineError('not-found', 'this series is not open');
    return s;
  }

  /** SOP Instance UID -> file of each instance of an open series (what an export may read). */
  seriesFiles(uid: string): Map<string, string> {
    return new Map(this.series(uid).instances.map((i) => [i.sopInstanceUid, i.path]));
  }

  /** The decoded series (built once, cached; the oldest volumes leave the cache first). */
  volume(uid: string, progress?: BuildProgress): Promise<Volume> {
    let v = this.volumes.get(uid);
    if (!v) {
      v = buildVolume(this.series(uid), progress);
      v.catch(() => this.volumes.delete(uid));
      this.volumes.set(uid, v);
      while (this.volumes.size > this.volumeCacheSize) this.volumes.delete(this.volumes.keys().next().value!);
    }
    return v;
  }

  async loadVolume(uid: string, progress?: BuildProgress): Promise<VolumeInfo> {
    const info = (await this.volume(uid, progress)).info;
    return { ...info, instanceNumbers: this.instanceNumbers(uid, info.sopInstanceUids) };
  }

  /** InstanceNumber per slice, so the app and the reports can number slices as the files do (null: none, or a multi-frame file). */
  private instanceNumbers(uid: string, sops: string[]): (number | null)[] {
    const bySop = new Map(this.series(uid).instances.map((i) => [i.sopInstanceUid, i.header.instanceNumber ?? null]));
    const frames = new Map<string, number>();
    for (const s of sops) frames.set(s, (frames.get(s) ?? 0) + 1);
    return sops.map((s) => (frames.get(s) === 1 ? (bySop.get(s) ?? null) : null));
  }

  /** SEG, Parametric Map and SR objects that refer to the series, checked against its grid. */
  async listDerived(uid: string): Promise<DerivedObjectSummary[]> {
    return this.derived.list(this.series(uid), await this.loadVolume(uid));
  }

  /** A SEG's or Parametric Map's voxels on the series grid; a refused object's refusal as the error. */
  async derivedMap(uid: string, objectUid: string, segment: number): Promise<Float32Array> {
    const record = this.derived.record(this.series(uid), objectUid);
    if (!record) throw new EngineError('not-found', 'no SEG or Parametric Map with this UID refers to this series');
    try {
      return await this.derived.map(record, await this.loadVolume(uid), segment);
    } catch (err) {
      throw err instanceof DerivedObjectError ? new EngineError('bad-input', err.message) : err;
    }
  }

  async getVoxels(uid: string): Promise<Volume['voxels']> {
    return (await this.volume(uid)).voxels;
  }

  /** Tags of slice `index` in volume order (index 0 = first slice along the normal). */
  async getTags(uid: string, index: number): Promise<TagEntry[]> {
    const series = this.series(uid);
    const info = await this.loadVolume(uid);
    const sop = info.sopInstanceUids[Math.min(index, info.sopInstanceUids.length - 1)];
    const inst = series.instances.find((i) => i.sopInstanceUid === sop) ?? series.instances[0];
    return dumpTags(parseDicom(await readFile(inst.path)).dataSet);
  }
}
