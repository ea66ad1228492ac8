// groundtruth.json beside a demo study: what the engine's ground-truth overlay and the evaluation
// tools read (schema: src/main/engine/study/groundTruthFile.ts).
import path from 'node:path';
import type { GroundTruth } from '../../../shared/api';
import { writeFileAtomic } from '../io/atomic';

export async function writeGroundTruth(dir: string, gt: GroundTruth): Promise<string> {
  const file = path.join(dir, 'groundtruth.json');
  await writeFileAtomic(file, `${JSON.stringify(gt, null, 2)}\n`);
  return file;
}
