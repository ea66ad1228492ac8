// A sanity check's outcome as the engine reports it (CLI sanity.json, the app's job card): the
// model-parameter randomization test of one finished explanation (docs/sanity.md).

export interface SanityLikeness {
  /** Spearman's rho with the original map; null when a map is constant (counted as 0). */
  spearman: number | null;
  ssim: number;
  /** Jaccard of the significant regions (methods with a significance test). */
  regionJaccard?: number;
}

export interface SanityReport {
  method: string;
  target: string;
  /** The map whose Spearman/SSIM are reported: the method's main map, or its z map where it has one. */
  compared: 'map' | 'z';
  /** What the verdict reads: the significant region's Jaccard (methods with a test) or Spearman. */
  judgedBy: 'region' | 'spearman';
  seed: number;
  /**
   * Methods whose landmark target has a reference point (MUPAX, RISE, the regression): every run of
   * the check measured its errors against that model's own unmasked prediction, never the study's
   * ground truth (which would anchor a randomized model's map at the true landmark).
   */
  reference?: 'own prediction';
  layerCount: number;
  steps: ({ layers: string[] } & SanityLikeness)[];
  /** Null when the check stopped before the floor was measured (verdict "could not test"). */
  floor: SanityLikeness | null;
  /** Stochastic methods: the original map against the same method with the next seed. */
  seedAgreement?: SanityLikeness;
  margin: number;
  /**
   * inconclusive: a stochastic map that does not agree with itself across seeds above the floor.
   * could not test: the model has nothing to randomize (no weight layers, or only constant ones), or
   * the method gave no usable map on one of the models (it failed, or its map has NaN/infinite values).
   */
  verdict: 'pass' | 'fail' | 'inconclusive' | 'could not test';
  reason: string;
}

/** A running or finished sanity check of an explanation job. */
export interface SanityStatus {
  id: string;
  jobId: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  done: number;
  total: number;
  error?: string;
  result?: SanityReport;
}

/** The verdict in words, the same on the job card and in the PDF (which prints it in capitals). */
export const SANITY_VERDICT_WORDS: Record<SanityReport['verdict'], string> = {
  pass: 'Passes',
  fail: 'Fails',
  inconclusive: 'Inconclusive',
  'could not test': 'Could not test',
};
