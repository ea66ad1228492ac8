// `scan PATH... [--load] [--json]`: what the given files, folders or DICOMDIRs hold (patients,
// studies, series) and every file that was skipped with its reason; --load also builds each
// series' volume and reports its size, spacing and warnings (or why it cannot be built).
// Exit status 0 when the paths could be read, whatever they held; 1 when a path cannot be read.
import { rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../../main/engine/engine';
import type { OpenReport } from '../../shared/api';
import { type Command, CommandFailure, UsageError } from '../command';

interface SeriesLoad {
  seriesUid: string;
  ok: boolean;
  dimensions?: number[];
  spacing?: number[];
  warnings?: string[];
  error?: string;
}

function text(report: OpenReport, loads: Map<string, SeriesLoad>): string {
  const lines: string[] = [`${report.filesScanned} file(s) scanned, ${report.dicomFiles} DICOM image(s), ${report.skipped.length} skipped`];
  for (const st of report.studies) {
    lines.push(`patient ${st.patientName || '(no name)'} [${st.patientId || 'no ID'}], study ${st.studyDate || '(no date)'} ${st.description}`.trimEnd());
    for (const se of st.series) {
      lines.push(
        `  series ${se.seriesNumber ?? '-'} ${se.modality} ${se.description || '(no description)'}: ${se.imageCount} image(s) in ${se.fileCount} file(s), ${se.columns} x ${se.rows} (${se.seriesUid})`,
      );
      const l = loads.get(se.seriesUid);
      if (l?.ok)
        lines.push(
          `    volume ${l.dimensions!.join(' x ')} voxels, spacing ${l.spacing!.map((s) => Number(s.toFixed(4))).join(' x ')} mm${l.warnings!.length ? `; ${l.warnings!.length} warning(s)` : ''}`,
          ...l.warnings!.map((w) => `      warning: ${w}`),
        );
      else if (l) lines.push(`    volume not built: ${l.error}`);
    }
  }
  if (report.skipped.length) lines.push('skipped:', ...report.skipped.map((s) => `  ${s.file}: ${s.reason}`));
  return lines.join('\n') + '\n';
}

export const scanCommand: Command = {
  summary: 'list the patients, studies and series in files, folders or DICOMDIRs, and every skipped file with its reason',
  usage: 'scan PATH... [--load (build each volume)] [--json]',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: { load: { type: 'boolean' }, json: { type: 'boolean' } },
    });
    if (positionals.length === 0) throw new UsageError('give at least one file, folder or DICOMDIR');
    for (const p of positionals) {
      await stat(p).catch((err: NodeJS.ErrnoException) => {
        throw new CommandFailure(
          `cannot read ${p}: ${err.code === 'ENOENT' ? 'no such file or folder' : err.code === 'EACCES' ? 'permission denied' : err.message}`,
        );
      });
    }
    // Scanning needs no model library: a private scratch cache, removed afterwards.
    const cacheDir = path.join(os.tmpdir(), `explicare-scan-${process.pid}`);
    const engine = new Engine({ cacheDir, volumeCacheSize: 1 });
    try {
      const report = await engine.openPaths(positionals);
      const loads = new Map<string, SeriesLoad>();
      if (values.load) {
        for (const uid of report.studies.flatMap((s) => s.series.map((x) => x.seriesUid))) {
          try {
            const info = await engine.loadVolume(uid);
            loads.set(uid, { seriesUid: uid, ok: true, dimensions: info.geometry.dimensions, spacing: info.geometry.spacing, warnings: info.warnings });
          } catch (err) {
            loads.set(uid, { seriesUid: uid, ok: false, error: err instanceof Error ? err.message : String(err) });
          }
        }
      }
      const { openedSeries: _opened, ...rest } = report;
      process.stdout.write(
        values.json ? JSON.stringify({ ...rest, ...(values.load ? { volumes: [...loads.values()] } : {}) }, null, 2) + '\n' : text(report, loads),
      );
    } finally {
      await engine.dispose();
      await rm(cacheDir, { recursive: true, force: true });
    }
  },
};
