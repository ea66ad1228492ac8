// An explanation result <-> a result-cache entry: the summary as JSON, then every map in one
// list (maps, the explained input if any, then each layer's maps), with the layout in the summary.
import type { CachedExplanation } from '../jobs/resultCache';
import type { ExplanationResult } from './explainVolume';

interface Layout {
  targets: string[];
  hasExplainedInput: boolean;
  layerNames?: string[];
}

export function toCache(key: string, result: ExplanationResult): CachedExplanation {
  const { maps, explainedInput, layers, ...summary } = result;
  const layerNames = Object.keys(layers ?? {});
  const all = [...maps, ...(explainedInput ? [explainedInput] : []), ...layerNames.flatMap((n) => layers![n])];
  return { key, summary: { ...summary, hasExplainedInput: !!explainedInput, layerNames }, maps: all };
}

export function fromCache(cached: CachedExplanation): ExplanationResult {
  const s = cached.summary as unknown as Omit<ExplanationResult, 'maps' | 'explainedInput' | 'layers'> & Layout;
  const n = s.targets.length;
  let at = n;
  const explainedInput = s.hasExplainedInput ? cached.maps[at++] : undefined;
  const layers: Record<string, Float32Array[]> = {};
  for (const name of s.layerNames ?? []) {
    layers[name] = cached.maps.slice(at, at + n);
    at += n;
  }
  const { hasExplainedInput: _h, layerNames: _l, ...rest } = s;
  return { ...rest, maps: cached.maps.slice(0, n), explainedInput, layers: s.layerNames?.length ? layers : undefined };
}
