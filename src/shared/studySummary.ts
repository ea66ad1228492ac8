// What an open reports: the studies and series now open and the files it skipped. Its own file so
// that the PACS contract (pacsApi.ts) can name the open's report without importing the API surface.

export interface SeriesSummary {
  seriesUid: string;
  studyUid: string;
  modality: string;
  seriesNumber: number | null;
  description: string;
  imageCount: number; // frames (a multi-frame file counts each frame)
  fileCount: number;
  rows: number;
  columns: number;
  /** volume: several parallel slices (CT/MR); image: one 2D projection image (DX/CR). */
  kind: 'volume' | 'image';
}

export interface StudySummary {
  studyUid: string;
  patientName: string;
  patientId: string;
  studyDate: string; // YYYY-MM-DD or ''
  description: string;
  series: SeriesSummary[];
}

export interface SkippedFile {
  file: string; // file name relative to what the user opened, never a full path of another file
  reason: string;
}

export interface OpenReport {
  filesScanned: number;
  dicomFiles: number;
  skipped: SkippedFile[];
  studies: StudySummary[]; // all studies now open
  /** Series that the open added, for the UI to select the first. */
  openedSeries: string[];
}
