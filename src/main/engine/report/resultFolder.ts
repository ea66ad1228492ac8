// An explain result folder (result.json + NIfTI maps, as the CLI `explain` writes it) read into an
// export input. result.json is read first (loadResult): it names the series, which the caller opens.
import { readNifti } from '../io/nifti';
import type { ExportInput, ExportSeries } from './exportInput';
import type { MapVolume } from './keyImages';
import { type ExplainResult, ReportError, mainMapFile } from './resultFile';

export async function resultFolderInput(resultsDir: string, result: ExplainResult, series: ExportSeries): Promise<ExportInput> {
  const dims = series.info.geometry.dimensions;
  if (result.study.geometry.dimensions.some((d, i) => d !== dims[i]))
    throw new ReportError(`result.json describes a ${result.study.geometry.dimensions.join('x')} grid but the series is ${dims.join('x')}`);
  const maps = new Map<string, MapVolume>();
  for (const [method, m] of Object.entries(result.methods)) {
    const nii = await readNifti(mainMapFile(resultsDir, method, m));
    if (nii.data.length !== dims[0] * dims[1] * dims[2])
      throw new ReportError(`map of ${method} has ${nii.data.length} voxels, the series ${dims[0] * dims[1] * dims[2]}`);
    maps.set(method, { geometry: nii.geometry, data: nii.data });
  }
  return { series, result, maps };
}
