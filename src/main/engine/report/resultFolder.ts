// An explain result folder (result.json + NIfTI maps, as the CLI `explain` writes it) read into an
// export input. result.json is read first (loadResult): it names the series, which the caller opens.
// The maps are read when the export asks for them, one at a time (mapPass.ts), not here.
import { readNifti } from '../io/nifti';
import type { ExportInput, ExportSeries } from './exportInput';
import type { MapSource } from './mapPass';
import { type ExplainResult, ReportError, mainMapFile } from './resultFile';

export async function resultFolderInput(resultsDir: string, result: ExplainResult, series: ExportSeries): Promise<ExportInput> {
  const dims = series.info.geometry.dimensions;
  if (result.study.geometry.dimensions.some((d, i) => d !== dims[i]))
    throw new ReportError(`result.json describes a ${result.study.geometry.dimensions.join('x')} grid but the series is ${dims.join('x')}`);
  const maps = new Map<string, MapSource>();
  for (const [method, m] of Object.entries(result.methods)) {
    // A missing map is refused here, before the export starts; its contents when it is read.
    const file = mainMapFile(resultsDir, method, m);
    maps.set(method, {
      async load() {
        const nii = await readNifti(file);
        if (nii.data.length !== dims[0] * dims[1] * dims[2])
          throw new ReportError(`map of ${method} has ${nii.data.length} voxels, the series ${dims[0] * dims[1] * dims[2]}`);
        return { geometry: nii.geometry, data: nii.data };
      },
    });
  }
  return { series, result, maps };
}
