// Faithfulness (deletion/insertion, keep-top-q%) of a finished explanation's main map, its
// localization against the study's lesions when the ground truth has them, and for methods with a
// significant region the share of the grid it covers (0: nothing significant).
import { minimumOf } from '../explain/mupax/fill';
import type { GroundTruth } from '../../../shared/api';
import type { ExplanationResult } from '../explain/explainVolume';
import type { ExplainContext } from '../explain/method';
import { faithfulness, type FaithfulnessReport } from '../metrics/faithfulness';
import { lesionMask, localization, type LocalizationReport } from '../metrics/localization';
import { jobTargetSpec, makeScorer } from '../metrics/scorer';

export interface ExplanationMetrics {
  faithfulness: FaithfulnessReport;
  localization: LocalizationReport | null;
  regionFraction: number | null;
}

export async function explanationMetrics(ctx: ExplainContext, r: ExplanationResult, truth: GroundTruth | null, steps?: number): Promise<ExplanationMetrics> {
  const { input, manifest } = ctx;
  const main = r.maps.length - 1;
  const map = r.maps[main];
  // A significant-evidence map is 0 outside its region, which orders nothing there: deletion and
  // insertion rank voxels by the z of every chunk instead (the region is the top of that ranking).
  const ranking = r.details.shows === 'significant evidence' && r.layers?.z ? r.layers.z[main] : map;
  // The method's own baseline (MUPAX records it); otherwise the input's minimum (air, background).
  const recorded = (r.details.parameters as { baselineValue?: number } | undefined)?.baselineValue;
  const baseline = recorded !== undefined && Number.isFinite(recorded) ? recorded : minimumOf(input.data);
  const report = await faithfulness(
    ctx,
    ranking,
    await makeScorer(ctx, jobTargetSpec(r.details, r.method === 'mupax' && manifest.output.decoding.type === 'heatmaps')),
    { steps, baseline },
  );
  const lesions = truth?.lesions ?? [];
  const regionFraction = r.layers?.significant ? r.layers.significant[main].reduce((a, b) => a + (b > 0 ? 1 : 0), 0) / map.length : null;
  return { faithfulness: report, localization: lesions.length ? localization(map, lesionMask(input.grid, lesions)) : null, regionFraction };
}
