// Live progress of one export while it writes: which object (n of m, from the files the options
// ask for, in the order exportReport writes them), the bytes staged so far (a streamed Parametric
// Map's file is measured while it grows), and the user's cancel, honoured before each object and
// each slice of a Parametric Map.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ReportError } from './resultFile';
import type { Staging } from './staging';

export interface ExportStep {
  phase: 'write' | 'commit';
  step: string;
  /** 1-based; 0 before the first object. */
  object: number;
  objects: number;
  file?: string;
  bytes: number;
}

/** Thrown when the user cancelled; the staging folder is removed, nothing reaches the output folder. */
export class ExportCancelled extends ReportError {
  constructor() {
    super('the export was cancelled: nothing was written');
  }
}

/** The files an export writes, in the order it writes them (exportReport.ts, dicomObjects.ts). */
export function plannedFiles(methods: string[], pdf: boolean, dicom: boolean): string[] {
  return [
    ...(pdf ? ['report.pdf'] : []),
    ...(dicom
      ? [
          ...methods.map((m) => path.join('dicom', `SC-${m}.dcm`)),
          ...methods.map((m) => path.join('dicom', `PM-${m}.dcm`)),
          path.join('dicom', 'SEG-top-regions.dcm'),
          path.join('dicom', 'SR-measurement-report.dcm'),
        ]
      : []),
  ];
}

/** What a file is, in words. */
export function describeFile(file: string): string {
  const base = path.basename(file);
  let m: RegExpExecArray | null;
  if (base === 'report.pdf') return 'PDF report: key images, charts and pages';
  if ((m = /^SC-(.+)\.dcm$/.exec(base))) return `Key image of ${m[1]} (Secondary Capture)`;
  if ((m = /^PM-(.+)\.dcm$/.exec(base))) return `Parametric Map of ${m[1]} (JPEG-LS, slice by slice)`;
  if (base.startsWith('SEG-')) return 'Segmentation of the top regions';
  if (base.startsWith('SR-')) return 'Structured report (TID 1500)';
  return base;
}

/** How often a growing file's size is read while it is streamed. */
const STREAM_POLL_MS = 200;

export class ExportTracker {
  private index = -1;
  private bytes = 0;
  private streamingBytes = 0;

  constructor(
    private readonly planned: string[],
    private readonly report: (s: ExportStep) => void,
    private readonly signal?: AbortSignal,
  ) {}

  /** Throws ExportCancelled once the user cancelled. */
  check(): void {
    if (this.signal?.aborted) throw new ExportCancelled();
  }

  private emit(phase: ExportStep['phase'] = 'write'): void {
    const file = this.planned[this.index];
    this.report({
      phase,
      step: phase === 'commit' ? 'Moving the files into the folder' : file ? describeFile(file) : 'Preparing',
      object: Math.min(this.index + 1, this.planned.length),
      objects: this.planned.length,
      ...(phase === 'write' && file ? { file } : {}),
      bytes: this.bytes + this.streamingBytes,
    });
  }

  /** The object `file` is being prepared or written (a file not planned is added to the count). */
  begin(file: string): void {
    this.check();
    let i = this.planned.indexOf(file);
    if (i < 0) {
      this.planned.splice(this.index + 1, 0, file);
      i = this.index + 1;
    }
    if (i === this.index) return;
    this.index = i;
    this.emit();
  }

  /** The first planned object starts (before its data is computed). */
  start(): void {
    if (this.planned.length) this.begin(this.planned[0]);
  }

  private staged(bytes: number): void {
    this.check();
    this.bytes += bytes;
    this.streamingBytes = 0;
    // The next planned object starts now (its data is computed before it is written).
    if (this.index + 1 < this.planned.length) this.index++;
    this.emit();
  }

  commit(): void {
    this.check();
    this.emit('commit');
  }

  /** Reports every file `staging` writes: begins, bytes, and a growing streamed file's size. */
  watch(staging: Staging): void {
    const write = staging.write.bind(staging);
    const writeWith = staging.writeWith.bind(staging);
    staging.write = async (name, data) => {
      this.begin(name);
      await write(name, data);
      this.staged(data.byteLength);
    };
    staging.writeWith = async <T>(name: string, produce: (file: string) => Promise<T>): Promise<T> => {
      this.begin(name);
      let at = '';
      let growing = true;
      const timer = setInterval(() => {
        if (!at) return;
        void stat(at).then(
          (s) => {
            if (!growing) return; // a size read after the file was counted
            this.streamingBytes = s.size;
            this.emit();
          },
          () => undefined,
        );
      }, STREAM_POLL_MS);
      try {
        const out = await writeWith(name, (file) => ((at = file), produce(file)));
        const size = (await stat(at)).size;
        growing = false;
        this.staged(size);
        return out;
      } finally {
        growing = false;
        clearInterval(timer);
      }
    };
  }
}
