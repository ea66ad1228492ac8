// Ground truth per series: a landmark file the user loaded (this session), else the groundtruth.json
// kept beside the study (the demos'); and that truth as a given model sees it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { GroundTruth, UploadFile } from '../../../shared/api';
import { indexToPatient } from '../../../shared/geometry';
import type { ModelManifest } from '../../../shared/modelManifest';
import { parseLandmarkFile } from '../landmarks/parseLandmarkFile';
import { truthForModel, type LandmarkFileText } from '../landmarks/truthForModel';
import { groundTruthFileSchema } from '../study/groundTruthFile';
import { EngineError, translatingErrors } from './engineError';
import type { StudyService } from './studyService';

export class GroundTruthService {
  private readonly userTruth = new Map<string, GroundTruth>();
  /**
   * The landmark file behind a series' user truth, read again against each model that meets it,
   * as long as that truth is still the one the file gave (an edit replaces it).
   */
  private readonly landmarkFiles = new Map<string, { file: LandmarkFileText; truth: GroundTruth }>();

  constructor(private readonly studies: StudyService) {}

  /** Ground truth the user loaded, else the one kept beside the study (demo groundtruth.json), if any. */
  async get(uid: string): Promise<GroundTruth | null> {
    const series = this.studies.series(uid);
    const loaded = this.userTruth.get(uid);
    if (loaded) return loaded;
    const file = path.join(path.dirname(series.instances[0].path), 'groundtruth.json');
    if (!existsSync(file)) return null;
    let parsed: z.infer<typeof groundTruthFileSchema>;
    try {
      parsed = groundTruthFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    } catch (err) {
      // Never quote the file: JSON.parse's message carries its first bytes, whatever the file holds.
      const why =
        err instanceof SyntaxError
          ? 'not valid JSON'
          : err instanceof z.ZodError
            ? `${err.issues[0]?.path.join('.') || '(root)'}: ${err.issues[0]?.message}`
            : 'unreadable';
      throw new EngineError('bad-input', `groundtruth.json beside this series is invalid: ${why}`);
    }
    if (parsed.seriesUid !== uid) return null;
    return parsed;
  }

  /** Ground-truth landmarks from a file; replaces what the study came with for this session. */
  async importLandmarks(seriesUid: string, files: UploadFile[]): Promise<GroundTruth> {
    if (files.length !== 1) throw new EngineError('bad-input', 'send exactly one landmark file (.txt, .csv or .json)');
    const info = await this.studies.loadVolume(seriesUid);
    const text = new TextDecoder().decode(files[0].data);
    const points = await translatingErrors(() => parseLandmarkFile(files[0].name, text));
    const [w, h] = info.geometry.dimensions;
    const outside = points.filter((p) => p.pixel[0] > w - 1 || p.pixel[1] > h - 1);
    if (outside.length) throw new EngineError('bad-input', `${files[0].name}: ${outside.map((p) => p.name).join(', ')} lie outside the ${w}x${h} image`);
    const truth: GroundTruth = {
      seriesUid,
      landmarks: points.map((p) => ({ ...p, patient: indexToPatient(info.geometry, [p.pixel[0], p.pixel[1], 0]) })),
      lesions: [],
      source: `landmark file ${files[0].name}`,
    };
    this.userTruth.set(seriesUid, truth);
    this.landmarkFiles.set(seriesUid, { file: { name: files[0].name, text }, truth });
    return truth;
  }

  /** The ground truth as a model sees it: a user's landmark file is read against its landmarks. */
  async forModel(seriesUid: string, manifest: ModelManifest): Promise<GroundTruth | null> {
    const truth = await this.get(seriesUid);
    const fromFile = this.landmarkFiles.get(seriesUid);
    if (!truth || !fromFile || fromFile.truth !== truth) return truth;
    const { geometry } = (await this.studies.volume(seriesUid)).info;
    return translatingErrors(() => truthForModel(truth, fromFile.file, manifest, geometry), 'The ground-truth landmarks do not fit this model');
  }
}
