// `report --study PATH --results DIR --out DIR [--pdf] [--dicom] [--anonymize [--include-free-text] [--allow-burned-in-annotation]]
// [--comment TEXT] [--top-percent K] [--colormap NAME] [--overwrite]`: the PDF report and/or the DICOM objects (key images, Parametric Maps,
// SEG, SR) of an explain result (both by default). Existing files in --out are refused unless --overwrite.
import { parseArgs } from 'node:util';
import { SALIENCY_COLORMAPS, isSaliencyColormap } from '../../shared/colormaps';
import { Engine, EngineError } from '../../main/engine/engine';
import { bundledModelsDir, defaultCacheDir } from '../../main/engine/paths';
import type { ReportOutput } from '../../main/engine/report/exportReport';
import { ReportError } from '../../main/engine/report/resultFile';
import type { ResultFolderExport } from '../../main/engine/services/exportService';
import { type Command, CommandFailure, UsageError } from '../command';

/** An explain result folder and its study exported by an engine of its own (the command's, tests'). */
export async function exportResultFolder(o: ResultFolderExport & { cacheDir: string; bundledModelsDir?: string }): Promise<ReportOutput> {
  const engine = new Engine({ cacheDir: o.cacheDir, bundledModelsDir: o.bundledModelsDir });
  try {
    return await engine.exportResultFolder(o);
  } finally {
    await engine.dispose();
  }
}

export const reportCommand: Command = {
  summary: 'export an explain result as a PDF report and DICOM objects (key images, Parametric Maps, SEG, TID 1500 SR)',
  usage:
    'report --study PATH --results DIR --out DIR [--pdf] [--dicom] [--anonymize [--include-free-text] [--allow-burned-in-annotation]] [--comment TEXT] [--top-percent K (SEG region, default 5)] [--colormap viridis|jet|hot|gray (key images, default jet)] [--overwrite (replace existing files)]',
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: {
        study: { type: 'string' },
        results: { type: 'string' },
        out: { type: 'string' },
        pdf: { type: 'boolean' },
        dicom: { type: 'boolean' },
        anonymize: { type: 'boolean' },
        'include-free-text': { type: 'boolean' },
        'allow-burned-in-annotation': { type: 'boolean' },
        overwrite: { type: 'boolean' },
        comment: { type: 'string' },
        'top-percent': { type: 'string' },
        colormap: { type: 'string' },
      },
    });
    if (!values.study || !values.results || !values.out) throw new UsageError('--study, --results and --out are required');
    const both = !values.pdf && !values.dicom;
    const topText = values['top-percent'];
    const topPercent = topText === undefined ? undefined : Number(topText);
    if (topPercent !== undefined && !(/^\d+(\.\d+)?$/.test(topText!) && topPercent > 0 && topPercent <= 100))
      throw new UsageError(`--top-percent must be a number above 0 and at most 100, got "${topText}"`);
    const colormap = values.colormap;
    if (colormap !== undefined && !isSaliencyColormap(colormap))
      throw new UsageError(`--colormap must be one of ${SALIENCY_COLORMAPS.join(', ')}, got "${colormap}"`);
    try {
      const out = await exportResultFolder({
        study: values.study,
        results: values.results,
        out: values.out,
        pdf: both || !!values.pdf,
        dicom: both || !!values.dicom,
        anonymize: !!values.anonymize,
        includeFreeText: !!values['include-free-text'],
        allowBurnedInAnnotation: !!values['allow-burned-in-annotation'],
        overwrite: !!values.overwrite,
        comment: values.comment,
        topPercent,
        colormap,
        cacheDir: defaultCacheDir(),
        bundledModelsDir: bundledModelsDir(),
      });
      for (const f of out.files) process.stdout.write(`wrote ${f}\n`);
      process.stdout.write(
        `key slices: ${Object.entries(out.keySlices)
          .map(([m, k]) => `${m} ${k + 1}`)
          .join(', ')} (${(out.elapsedMs / 1000).toFixed(1)} s)\n`,
      );
    } catch (err) {
      if (err instanceof ReportError || err instanceof EngineError) throw new CommandFailure(err.message);
      throw err;
    }
  },
};
