// The demo study of one kind opened in a scratch engine, with the bundled model for it and the
// input a method sees: what the MUPAX bench scripts start from.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../src/main/engine/engine';
import { bundledModelsDir } from '../src/main/engine/paths';

export async function openDemoContext(kind: 'ct' | 'ceph') {
  const work = mkdtempSync(path.join(os.tmpdir(), `explicare-bench-${kind}-`));
  const engine = new Engine({ cacheDir: work, bundledModelsDir: bundledModelsDir() });
  const report = await engine.openDemo(kind);
  const uid = report.openedSeries[0];
  const model = (await engine.listModels()).find((m) => m.modality.includes(kind === 'ct' ? 'CT' : 'DX'))!;
  const ctx = await engine.explainContextFor(uid, model.id);
  const truth = await engine.getGroundTruth(uid);
  const close = async () => {
    await engine.dispose();
    rmSync(work, { recursive: true, force: true });
  };
  return { ctx, truth, close };
}
